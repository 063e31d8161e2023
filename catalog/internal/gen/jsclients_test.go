package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// clientFiles are the files of a client tarball as the JavaScript SDK
// writes it (name, version and signing name as given).
func clientFiles(name, version, signing string) map[string]string {
	return map[string]string{
		"package/package.json": `{"name":"` + name + `","version":"` + version + `","license":"Apache-2.0"}`,
		"package/LICENSE":      "Apache License\n",
		"package/dist-types/commands/GetThingCommand.d.ts":       "export {}",
		"package/dist-types/commands/PutThingCommand.d.ts":       "export {}",
		"package/dist-types/commands/index.d.ts":                 "export {}",
		"package/dist-types/ts3.4/commands/OldThingCommand.d.ts": "export {}",
		"package/dist-es/auth/httpAuthSchemeProvider.js":         "signingProperties: {\n            name: \"" + signing + "\",\n            region: authParameters.region,",
		"package/dist-es/runtimeConfig.shared.js":                `serviceId: config?.serviceId ?? "Demo Thing",`,
	}
}

func TestReadClient(t *testing.T) {
	b := tgz(t, clientFiles(jsScope+"demo-thing", "3.1150.0", "demo"))
	want := lockedClient{Name: jsScope + "demo-thing", Version: "3.1150.0", Integrity: integrity(b)}
	c, err := readClient(b, want)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Operations, ",") != "GetThing,PutThing" || c.SigningName != "demo" || c.ServiceID != "Demo Thing" || string(c.License) != "Apache License\n" {
		t.Errorf("client %+v", c)
	}

	// Clients built before 2024 name the signing name in their endpoint
	// parameters.
	old := clientFiles(jsScope+"demo-thing", "3.332.0", "")
	delete(old, "package/dist-es/auth/httpAuthSchemeProvider.js")
	old["package/dist-cjs/endpoint/EndpointParameters.js"] = `defaultSigningName: "demothing",`
	b = tgz(t, old)
	if c, err := readClient(b, lockedClient{Name: jsScope + "demo-thing", Version: "3.332.0", Integrity: integrity(b)}); err != nil || c.SigningName != "demothing" {
		t.Errorf("old client: %+v, %v", c, err)
	}

	for _, tc := range []struct {
		name  string
		files map[string]string
		want  lockedClient
		err   string
	}{
		{"other content", clientFiles(jsScope+"demo-thing", "3.1150.0", "demo"), lockedClient{Name: jsScope + "demo-thing", Version: "3.1150.0", Integrity: "sha512-AAAA"}, "integrity"},
		{"other version", clientFiles(jsScope+"demo-thing", "3.1151.0", "demo"), want, "package.json names"},
		{"license", map[string]string{"package/package.json": `{"name":"` + want.Name + `","version":"3.1150.0","license":"MIT"}`}, want, "license"},
	} {
		b := tgz(t, tc.files)
		w := tc.want
		if w.Integrity != "sha512-AAAA" {
			w.Integrity = integrity(b)
		}
		if _, err := readClient(b, w); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
		}
	}
}

func TestJSLockRoundTrip(t *testing.T) {
	l := &jsLock{
		Clients: []lockedClient{{Name: jsScope + "s3", Version: "3.1178.0", Date: time.Date(2026, 11, 25, 19, 44, 18, 0, time.UTC), Integrity: "sha512-AB=="}},
		Missing: []missingClient{{Name: jsScope + "eks-auth", SigningName: "eks-auth"}, {Name: jsScope + "newthing"}},
	}
	got, err := parseJSLock("x.lock", l.marshal())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Clients) != 1 || got.Clients[0] != l.Clients[0] || len(got.Missing) != 2 || got.Missing[0] != l.Missing[0] || got.Missing[1] != l.Missing[1] {
		t.Errorf("round trip %+v", got)
	}
	if _, err := parseJSLock("x.lock", []byte("@aws-sdk/client-s3 3.1.0 2026-01-01T00:00:00Z sha512-AB==\n@aws-sdk/client-s3 3.1.0\n")); err == nil || !strings.Contains(err.Error(), "x.lock:2") {
		t.Errorf("bad line: %v", err)
	}
}

// TestReleasedBy checks the date a client release gets from the
// registry's times: a version the registry copied late gets the time of
// the first release after it.
func TestReleasedBy(t *testing.T) {
	times := []release{
		{[3]int{3, 288, 0}, day("2024-12-13")}, // copied late
		{[3]int{3, 700, 0}, day("2024-11-20")},
		{[3]int{3, 1140, 0}, day("2026-09-26")},
		{[3]int{3, 1150, 0}, day("2026-10-12")},
	}
	for v, want := range map[[3]int]string{
		{3, 288, 0}:  "2024-11-20",
		{3, 700, 0}:  "2024-11-20",
		{3, 1000, 0}: "2026-09-26",
		{3, 1150, 0}: "2026-10-12",
	} {
		if got := releasedBy(times, v).Format(time.DateOnly); got != want {
			t.Errorf("%v: %s, want %s", v, got, want)
		}
	}
	if _, ok := releaseNumber("3.1150.0-rc.1"); ok {
		t.Error("a pre-release taken for a release")
	}
}

// fakeRegistry serves packuments and tarballs as the npm registry does,
// naming tarballs by the host the request was sent to.
type fakeRegistry struct {
	packages map[string]map[string][]byte // name -> version -> tarball
	times    map[string]map[string]string // name -> version -> time
}

func (r *fakeRegistry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	path, _ := url.PathUnescape(req.URL.EscapedPath())
	path = strings.TrimPrefix(path, "/")
	if name, file, ok := strings.Cut(path, "/-/"); ok {
		for v, b := range r.packages[name] {
			if strings.HasSuffix(file, "-"+v+".tgz") {
				w.Write(b)
				return
			}
		}
		http.NotFound(w, req)
		return
	}
	vs, ok := r.packages[path]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"Not found"}`))
		return
	}
	doc := map[string]any{"name": path, "time": r.times[path]}
	versions := map[string]any{}
	latest := ""
	for v, b := range vs {
		versions[v] = map[string]any{"name": path, "version": v, "license": "Apache-2.0",
			"dist": map[string]string{"integrity": integrity(b), "tarball": "http://" + req.Host + "/" + path + "/-/" + path[strings.LastIndexByte(path, '/')+1:] + "-" + v + ".tgz"}}
		if n, _ := releaseNumber(v); latest == "" || lessRelease(mustRelease(latest), n) {
			latest = v
		}
	}
	doc["versions"] = versions
	doc["dist-tags"] = map[string]string{"latest": latest}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(doc)
}

func mustRelease(v string) [3]int {
	n, _ := releaseNumber(v)
	return n
}

// TestResolveClientsWithNPM pins and reads clients through the npm command
// line against a registry served here.
func TestResolveClientsWithNPM(t *testing.T) {
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm not installed: the generator runs npm to read the registry")
	}
	reg := &fakeRegistry{
		packages: map[string]map[string][]byte{
			jsScope + "demo":  {"3.1100.0": tgz(t, clientFiles(jsScope+"demo", "3.1100.0", "demo")), "3.1150.0": tgz(t, clientFiles(jsScope+"demo", "3.1150.0", "demo"))},
			jsScope + "other": {"3.600.0": tgz(t, clientFiles(jsScope+"other", "3.600.0", "other"))},
		},
		times: map[string]map[string]string{
			jsScope + "demo":  {"3.1100.0": "2026-08-05T19:00:00Z", "3.1150.0": "2026-10-12T18:41:26+00:00"},
			jsScope + "other": {"3.600.0": "2026-11-01T00:00:00.000Z"}, // copied late
		},
	}
	srv := httptest.NewServer(reg)
	defer srv.Close()
	dir := t.TempDir()
	n := &npmClient{Registry: srv.URL + "/", Cache: dir + "/cache"}
	l, err := resolveClients(t.Context(), n, []string{jsScope + "demo", jsScope + "gone", jsScope + "other"}, map[string]string{jsScope + "gone": "gone"})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Clients) != 2 || l.Clients[0].Version != "3.1150.0" || l.Clients[0].Date.Format(time.DateOnly) != "2026-10-12" ||
		l.Clients[0].Integrity != integrity(reg.packages[jsScope+"demo"]["3.1150.0"]) {
		t.Fatalf("lock %+v", l)
	}
	// other 3.600.0 came out before demo 3.1100.0 did.
	if got := l.Clients[1].Date.Format(time.DateOnly); got != "2026-08-05" {
		t.Errorf("other dated %s", got)
	}
	if len(l.Missing) != 1 || l.Missing[0] != (missingClient{jsScope + "gone", "gone"}) {
		t.Errorf("missing %+v", l.Missing)
	}
	clients, size, err := readClients(t.Context(), n, dir, l)
	if err != nil {
		t.Fatal(err)
	}
	if len(clients) != 2 || clients[1].SigningName != "other" || len(clients[0].Operations) != 2 || size == 0 {
		t.Errorf("clients %+v", clients)
	}
}
