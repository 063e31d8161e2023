package account_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/internal/shareddata"
)

// rawJSON reads a JSON file into generic values, independently of the
// package under test.
func rawJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func list(m map[string]any, key string) []map[string]any {
	var out []map[string]any
	l, _ := m[key].([]any)
	for _, v := range l {
		out = append(out, v.(map[string]any))
	}
	return out
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// sameJSON reports whether a normalized document means the same JSON value
// as want, a value decoded by encoding/json.
func sameJSON(t *testing.T, got json.RawMessage, want any) bool {
	t.Helper()
	var g any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Errorf("document %s is not JSON: %v", got, err)
		return false
	}
	return reflect.DeepEqual(g, want)
}

// TestSharedAuthorizationDetails loads every real sample and checks it
// against what encoding/json reads from the same file.
func TestSharedAuthorizationDetails(t *testing.T) {
	dir := shareddata.Dir(t, "iam", "authorization-details")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples in %s: %v", dir, err)
	}
	// Account ids read from the files by hand (and, for the large sample,
	// from SOURCES.md).
	accounts := map[string]string{
		"cloudmapper-demo-iam-get-account-authorization-details.json":   "123456789012",
		"cloudsplaining-example.json":                                   "200611803367",
		"cloudsplaining-test-authz_details_for_overrides_complete.json": "012345678901",
		"cloudsplaining-test-example-authz-details.json":                "012345678901",
		"cloudsplaining-test-example_authz_v2.json":                     "012345678901",
		"cloudsplaining-test-managed_policy_mismatch.json":              "123456789012",
	}
	loaded := 0
	for _, path := range files {
		base := filepath.Base(path)
		t.Run(base, func(t *testing.T) {
			raw := rawJSON(t, path)
			_, isDetails := raw["UserDetailList"]
			if !isDetails {
				_, isDetails = raw["RoleDetailList"]
			}
			s, err := account.LoadFile(path)
			if !isDetails {
				if err == nil {
					t.Fatalf("LoadFile accepted a file without authorization details")
				}
				if !errors.Is(err, account.ErrFormat) {
					t.Errorf("error %v does not wrap ErrFormat", err)
				}
				if _, ok := raw["aws_managed_policies"]; ok && !strings.Contains(err.Error(), "cloudsplaining analysis results") {
					t.Errorf("error does not say the file is cloudsplaining results: %v", err)
				}
				if !strings.Contains(err.Error(), base) {
					t.Errorf("error does not name the file: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			loaded++
			checkAgainstRaw(t, s, raw)
			if want, ok := accounts[base]; !ok {
				t.Errorf("no expected account id for new sample %s", base)
			} else if got := s.AccountID(); got != want {
				t.Errorf("AccountID() = %q, want %q", got, want)
			}
		})
	}
	if loaded < 6 {
		t.Errorf("loaded %d samples, want at least 6", loaded)
	}
}

// checkAgainstRaw compares a snapshot with the generic decoding of the file.
func checkAgainstRaw(t *testing.T, s *account.Snapshot, raw map[string]any) {
	t.Helper()
	users, groups, roles, policies := list(raw, "UserDetailList"), list(raw, "GroupDetailList"), list(raw, "RoleDetailList"), list(raw, "Policies")
	if len(s.Users()) != len(users) || len(s.Groups()) != len(groups) || len(s.Roles()) != len(roles) || len(s.Policies()) != len(policies) {
		t.Fatalf("counts users/groups/roles/policies = %d/%d/%d/%d, want %d/%d/%d/%d",
			len(s.Users()), len(s.Groups()), len(s.Roles()), len(s.Policies()), len(users), len(groups), len(roles), len(policies))
	}

	rawPolicy := map[string]map[string]any{}
	for _, p := range policies {
		arn := str(p, "Arn")
		rawPolicy[arn] = p
		got := s.Policy(arn)
		if got == nil {
			t.Errorf("Policy(%s) = nil", arn)
			continue
		}
		var want map[string]any
		for _, v := range list(p, "PolicyVersionList") {
			if v["IsDefaultVersion"] == true {
				want = v
			}
		}
		dv := got.DefaultVersion()
		if want == nil || dv == nil {
			t.Errorf("%s: default version: got %v, raw %v", arn, dv, want)
			continue
		}
		if dv.VersionID != str(want, "VersionId") || !sameJSON(t, dv.Document, want["Document"]) {
			t.Errorf("%s: default version %s differs from the file's %s", arn, dv.VersionID, str(want, "VersionId"))
		}
	}

	// Missing policies: attached ARNs absent from Policies.
	wantMissing := map[string]bool{}
	attachedOf := func(m map[string]any) []string {
		var out []string
		for _, a := range list(m, "AttachedManagedPolicies") {
			out = append(out, str(a, "PolicyArn"))
		}
		if b, ok := m["PermissionsBoundary"].(map[string]any); ok {
			out = append(out, str(b, "PermissionsBoundaryArn"))
		}
		return out
	}
	for _, m := range append(append(append([]map[string]any{}, users...), groups...), roles...) {
		for _, arn := range attachedOf(m) {
			if rawPolicy[arn] == nil {
				wantMissing[arn] = true
			}
		}
	}
	gotMissing := map[string]bool{}
	for _, m := range s.Missing() {
		gotMissing[m.ARN] = true
	}
	if !reflect.DeepEqual(gotMissing, wantMissing) && (len(gotMissing) > 0 || len(wantMissing) > 0) {
		t.Errorf("Missing() = %v, want %v", keys(gotMissing), keys(wantMissing))
	}
	warned := 0
	for _, w := range s.Warnings() {
		if w.Kind == account.WarnMissingPolicy {
			warned++
		}
	}
	if warned != len(wantMissing) {
		t.Errorf("%d missing-policy warnings, want %d", warned, len(wantMissing))
	}

	rawGroup := map[string]map[string]any{}
	for _, g := range groups {
		rawGroup[str(g, "GroupName")] = g
	}
	for _, u := range users {
		p, err := s.Principal(str(u, "Arn"))
		if err != nil {
			t.Errorf("Principal(%s): %v", str(u, "Arn"), err)
			continue
		}
		if p.Kind != account.KindUser || p.Name() != str(u, "UserName") {
			t.Errorf("Principal(%s) = %s %s", str(u, "Arn"), p.Kind, p.Name())
		}
		want := len(list(u, "UserPolicyList")) + len(list(u, "AttachedManagedPolicies"))
		gl, _ := u["GroupList"].([]any)
		for _, g := range gl {
			if rg := rawGroup[g.(string)]; rg != nil {
				want += len(list(rg, "GroupPolicyList")) + len(list(rg, "AttachedManagedPolicies"))
			}
		}
		set := s.PolicySet(p)
		if len(set.Identity) != want {
			t.Errorf("user %s: %d identity policies, want %d", p.Name(), len(set.Identity), want)
		}
		for _, d := range set.Identity {
			if d.Missing != wantMissing[d.ARN] || (d.Missing && d.ARN == "") {
				t.Errorf("user %s: %s Missing = %v", p.Name(), d.Source, d.Missing)
			}
		}
	}
	for _, r := range roles {
		arn := str(r, "Arn")
		p, err := s.Principal(arn)
		if err != nil {
			t.Errorf("Principal(%s): %v", arn, err)
			continue
		}
		set := s.PolicySet(p)
		if set.Trust == nil || !sameJSON(t, set.Trust.Document, r["AssumeRolePolicyDocument"]) {
			t.Errorf("role %s: trust policy differs from the file", arn)
		}
		inline := list(r, "RolePolicyList")
		if got, want := len(set.Identity), len(inline)+len(list(r, "AttachedManagedPolicies")); got != want {
			t.Errorf("role %s: %d identity policies, want %d", arn, got, want)
			continue
		}
		for i, ip := range inline {
			d := set.Identity[i]
			if d.Kind != account.SourceInline || d.Name != str(ip, "PolicyName") || !sameJSON(t, d.Document, ip["PolicyDocument"]) {
				t.Errorf("role %s: inline policy %d = %s, differs from the file's %s", arn, i, d.Source, str(ip, "PolicyName"))
			}
		}
		lu, _ := r["RoleLastUsed"].(map[string]any)
		if date := str(lu, "LastUsedDate"); date != "" {
			got := p.Role.RoleLastUsed
			if got == nil || got.LastUsedDate.IsZero() || got.Region != str(lu, "Region") {
				t.Errorf("role %s: RoleLastUsed = %+v, file has %v", arn, got, lu)
			} else if g := got.LastUsedDate.Format("2006-01-02 15:04:05"); !strings.HasPrefix(strings.Replace(date, "T", " ", 1), g) {
				t.Errorf("role %s: LastUsedDate = %s, file has %s", arn, g, date)
			}
		} else if p.Role.RoleLastUsed != nil {
			t.Errorf("role %s: RoleLastUsed = %+v, file has none", arn, p.Role.RoleLastUsed)
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestSharedSpecifics checks facts about particular samples, read by hand.
func TestSharedSpecifics(t *testing.T) {
	dir := shareddata.Dir(t, "iam", "authorization-details")
	load := func(t *testing.T, name string) *account.Snapshot {
		t.Helper()
		s, err := account.LoadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	t.Run("open trust of bad_role", func(t *testing.T) {
		s := load(t, "cloudmapper-demo-iam-get-account-authorization-details.json")
		r := s.Role("bad_role")
		if r == nil {
			t.Fatal("no role bad_role")
		}
		if !strings.Contains(string(r.AssumeRolePolicyDocument), `"Principal":{"AWS":"*"}`) {
			t.Errorf("trust policy %s lacks the open principal", r.AssumeRolePolicyDocument)
		}
	})
	t.Run("cross-account OrganizationAccountAccessRole", func(t *testing.T) {
		s := load(t, "cloudsplaining-example.json")
		p, err := s.Principal("OrganizationAccountAccessRole")
		if err != nil {
			t.Fatal(err)
		}
		set := s.PolicySet(p)
		if !strings.Contains(string(set.Trust.Document), "arn:aws:iam::072528804237:root") {
			t.Errorf("trust %s does not name 072528804237", set.Trust.Document)
		}
		if p.Role.RoleLastUsed != nil {
			t.Errorf("RoleLastUsed {} read as %+v, want nil", p.Role.RoleLastUsed)
		}
		var mixed bool
		for _, w := range s.Warnings() {
			mixed = mixed || (w.Kind == account.WarnMixedAccounts && strings.Contains(w.Message, "012345678901"))
		}
		if !mixed {
			t.Errorf("no mixed-accounts warning naming 012345678901 in %v", s.Warnings())
		}
	})
	t.Run("managed policy mismatch", func(t *testing.T) {
		s := load(t, "cloudsplaining-test-managed_policy_mismatch.json")
		m := s.Missing()
		if len(m) != 1 || m[0].ARN != "arn:aws:iam::aws:policy/AWSLambdaReadOnlyAccess" {
			t.Fatalf("Missing() = %+v", m)
		}
		if m[0].Similar != "arn:aws:iam::aws:policy/AWSLambda_ReadOnlyAccess" {
			t.Errorf("Similar = %q", m[0].Similar)
		}
		if !reflect.DeepEqual(m[0].AttachedTo, []string{"arn:aws:iam::123456789012:group/anton-test"}) {
			t.Errorf("AttachedTo = %v", m[0].AttachedTo)
		}
		w := s.Warnings()
		if len(w) != 1 || !strings.Contains(w[0].Message, "AWSLambda_ReadOnlyAccess") || !strings.Contains(w[0].Message, "unknown, not empty") {
			t.Errorf("Warnings() = %v", w)
		}
	})
	t.Run("space-separated timestamps", func(t *testing.T) {
		s := load(t, "cloudsplaining-test-example_authz_v2.json")
		u := s.User("BlakeBortles")
		if u == nil {
			t.Fatal("no user BlakeBortles")
		}
		if got := u.CreateDate.UTC().Format("2006-01-02T15:04:05Z07:00"); got != "2019-12-18T19:10:08Z" {
			t.Errorf("CreateDate = %s", got)
		}
	})
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		file       string
		sentinel   error
		line, col  int
		field      string
		substrings []string
	}{
		{file: "syntax-error.json", sentinel: account.ErrSyntax, line: 8, col: 13},
		{file: "type-error.json", sentinel: account.ErrFormat, line: 6, col: 33, field: "UserDetailList.GroupList", substrings: []string{"found a JSON string where a list belongs"}},
		{file: "bad-timestamp.json", sentinel: account.ErrFormat, line: 6, col: 27, substrings: []string{`parse time "last tuesday"`}},
		{file: "empty.json", sentinel: account.ErrFormat, substrings: []string{"empty"}},
		{file: "cloudtrail.json", sentinel: account.ErrFormat, line: 1, col: 1, substrings: []string{"CloudTrail log"}},
		{file: "policy-document.json", sentinel: account.ErrFormat, substrings: []string{"single policy document"}},
		{file: "unknown-object.json", sentinel: account.ErrFormat, substrings: []string{"Roles, Users"}},
		{file: "array-of-strings.json", sentinel: account.ErrFormat, substrings: []string{"found a string"}},
		{file: "bad-document.json", sentinel: account.ErrDocument, field: "RoleDetailList[1].RolePolicyList[1].PolicyDocument"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			_, err := account.LoadFile(path)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("error %v does not wrap %v", err, tt.sentinel)
			}
			var pe *account.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if pe.Path != path {
				t.Errorf("Path = %q, want %q", pe.Path, path)
			}
			if tt.line != 0 && (pe.Line != tt.line || pe.Column != tt.col) {
				t.Errorf("position %d:%d, want %d:%d (%v)", pe.Line, pe.Column, tt.line, tt.col, err)
			}
			if pe.Field != tt.field {
				t.Errorf("Field = %q, want %q", pe.Field, tt.field)
			}
			for _, s := range tt.substrings {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

func TestReadPages(t *testing.T) {
	tests := []struct {
		file                 string
		users, groups, roles int
		truncated            bool
	}{
		{file: "pages-concatenated.json", users: 2, roles: 1},
		{file: "pages-array.json", users: 1, groups: 1, roles: 1},
		{file: "truncated.json", users: 1, truncated: true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, err := account.LoadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Users()) != tt.users || len(s.Groups()) != tt.groups || len(s.Roles()) != tt.roles {
				t.Errorf("users/groups/roles = %d/%d/%d, want %d/%d/%d", len(s.Users()), len(s.Groups()), len(s.Roles()), tt.users, tt.groups, tt.roles)
			}
			var truncated bool
			for _, w := range s.Warnings() {
				if w.Kind == account.WarnTruncated {
					truncated = true
					if !strings.Contains(w.Message, "more-to-come") {
						t.Errorf("warning %q does not give the marker", w.Message)
					}
				}
			}
			if truncated != tt.truncated {
				t.Errorf("truncated warning = %v, want %v (%v)", truncated, tt.truncated, s.Warnings())
			}
		})
	}
}

// TestReadDocumentForms reads the same account with documents as objects,
// as JSON text in strings, and URL-encoded in strings.
func TestReadDocumentForms(t *testing.T) {
	objects, err := account.LoadFile("testdata/documents-as-objects.json")
	if err != nil {
		t.Fatal(err)
	}
	stringsSnap, err := account.LoadFile("testdata/documents-as-strings.json")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(objects.Details(), stringsSnap.Details()) {
		a, _ := json.Marshal(objects.Details())
		b, _ := json.Marshal(stringsSnap.Details())
		t.Errorf("documents differ:\nobjects: %s\nstrings: %s", a, b)
	}
	raw := rawJSON(t, "testdata/documents-as-objects.json")
	role := list(raw, "RoleDetailList")[0]
	p, err := stringsSnap.Principal("docs")
	if err != nil {
		t.Fatal(err)
	}
	set := stringsSnap.PolicySet(p)
	if !sameJSON(t, set.Trust.Document, role["AssumeRolePolicyDocument"]) {
		t.Errorf("trust %s", set.Trust.Document)
	}
	if len(set.Identity) != 2 || !sameJSON(t, set.Identity[0].Document, list(role, "RolePolicyList")[0]["PolicyDocument"]) {
		t.Errorf("inline policy decoded as %s", set.Identity[0].Document)
	}
	for _, want := range []string{`"a+b & c/d"`, `"Zürich"`, `"aws:ResourceTag/cost center"`} {
		if !strings.Contains(string(set.Identity[0].Document), want) {
			t.Errorf("decoded inline policy lacks %s: %s", want, set.Identity[0].Document)
		}
	}
	if !strings.Contains(string(set.Identity[1].Document), `bucket-100%/*`) {
		t.Errorf("decoded managed policy lost its %%: %s", set.Identity[1].Document)
	}
}
