package account_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/internal/shareddata"
)

// TestWriteRoundTrip writes snapshots and reads them back.
func TestWriteRoundTrip(t *testing.T) {
	files := []string{"testdata/principals.json", "testdata/documents-as-strings.json", "testdata/pages-concatenated.json"}
	if dir, ok := shareddata.Find(); ok {
		more, _ := filepath.Glob(filepath.Join(dir, "iam", "authorization-details", "*.json"))
		for _, f := range more {
			if !strings.Contains(f, "iam-results") {
				files = append(files, f)
			}
		}
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			a, err := account.LoadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "authz.json")
			if err := account.SaveAuthorizationDetails(out, a.Details()); err != nil {
				t.Fatal(err)
			}
			b, err := account.LoadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a.Details(), b.Details()) {
				t.Error("details differ after a write and read")
			}
			if a.AccountID() != b.AccountID() || len(a.Missing()) != len(b.Missing()) {
				t.Errorf("account %s/%s, missing %d/%d", a.AccountID(), b.AccountID(), len(a.Missing()), len(b.Missing()))
			}
		})
	}
}

// TestWriteCLIShape checks the written JSON against what the AWS CLI prints.
func TestWriteCLIShape(t *testing.T) {
	s, err := account.LoadFile("testdata/documents-as-strings.json")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := account.WriteAuthorizationDetails(&buf, s.Details()); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"} {
		if _, ok := m[k].([]any); !ok {
			t.Errorf("top-level %s is %T, want a list", k, m[k])
		}
	}
	role := list(m, "RoleDetailList")[0]
	if _, ok := role["AssumeRolePolicyDocument"].(map[string]any); !ok {
		t.Errorf("trust policy written as %T, want an object", role["AssumeRolePolicyDocument"])
	}
	if got := str(role, "CreateDate"); got != "2020-01-01T00:00:00+00:00" {
		t.Errorf("CreateDate written as %q", got)
	}
	v := list(list(m, "Policies")[0], "PolicyVersionList")[0]
	if _, ok := v["Document"].(map[string]any); !ok || v["IsDefaultVersion"] != true {
		t.Errorf("policy version written as %v", v)
	}
	if !strings.Contains(buf.String(), "\n    \"UserDetailList\": [],\n") {
		t.Errorf("not indented like the CLI:\n%.200s", buf.String())
	}
	if !strings.Contains(buf.String(), `"a+b & c/d"`) || !strings.Contains(buf.String(), "Zürich") {
		t.Error("characters escaped in written documents")
	}
}

func TestSaveAtomic(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "report.csv")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := account.SaveCredentialReport(out, []byte("user,arn\n")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	if string(got) != "user,arn\n" {
		t.Errorf("content %q", got)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}

	// A write into a missing directory fails and creates nothing.
	bad := filepath.Join(dir, "no-such-dir", "authz.json")
	if err := account.SaveAuthorizationDetails(bad, &account.AuthorizationDetails{}); err == nil {
		t.Error("save into a missing directory succeeded")
	}

	// A failed encode leaves the old file in place and no temporary file.
	keep := filepath.Join(dir, "authz.json")
	if err := os.WriteFile(keep, []byte("previous"), 0o600); err != nil {
		t.Fatal(err)
	}
	broken := &account.AuthorizationDetails{RoleDetailList: []account.Role{{RoleName: "r", AssumeRolePolicyDocument: json.RawMessage(`{not json`)}}}
	if err := account.SaveAuthorizationDetails(keep, broken); err == nil {
		t.Fatal("save of an unencodable document succeeded")
	}
	if got, _ := os.ReadFile(keep); string(got) != "previous" {
		t.Errorf("old file replaced by %q", got)
	}
	entries, _ = os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("files after failed save: %v", entries)
	}
}
