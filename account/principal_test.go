package account_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/account"
)

func loadPrincipals(t *testing.T) *account.Snapshot {
	t.Helper()
	s, err := account.LoadFile("testdata/principals.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPrincipalLookup(t *testing.T) {
	s := loadPrincipals(t)
	tests := []struct {
		query   string
		wantARN string
		wantErr error
	}{
		{query: "dana", wantARN: "arn:aws:iam::123456789012:user/dana"},
		{query: "DANA", wantARN: "arn:aws:iam::123456789012:user/dana"},
		{query: "arn:aws:iam::123456789012:user/dana", wantARN: "arn:aws:iam::123456789012:user/dana"},
		{query: "app", wantARN: "arn:aws:iam::123456789012:role/app"},
		{query: "arn:aws:iam::123456789012:role/ci/deploy", wantARN: "arn:aws:iam::123456789012:role/ci/deploy"},
		{query: "role/deploy", wantARN: "arn:aws:iam::123456789012:role/ci/deploy"},
		{query: "role/ci/deploy", wantARN: "arn:aws:iam::123456789012:role/ci/deploy"},
		{query: "user/deploy", wantARN: "arn:aws:iam::123456789012:user/deploy"},
		{query: "arn:aws:sts::123456789012:assumed-role/deploy/gh-run-42", wantARN: "arn:aws:iam::123456789012:role/ci/deploy"},
		{query: "deploy", wantErr: account.ErrAmbiguous},
		{query: "nobody", wantErr: account.ErrNotFound},
		{query: "role/dana", wantErr: account.ErrNotFound},
		{query: "arn:aws:iam::123456789012:role/ci/missing", wantErr: account.ErrNotFound},
		{query: "arn:aws:sts::999999999999:assumed-role/deploy/x", wantErr: account.ErrNotFound},
		{query: "arn:aws:iam::999999999999:user/dana", wantErr: account.ErrNotFound},
		{query: "arn:aws:s3:::bucket", wantErr: account.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p, err := s.Principal(tt.query)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Principal(%q) = %v, %v; want error %v", tt.query, p.ARN(), err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.ARN() != tt.wantARN {
				t.Errorf("ARN() = %s, want %s", p.ARN(), tt.wantARN)
			}
			if (p.User != nil) == (p.Role != nil) || (p.Kind == account.KindUser) != (p.User != nil) {
				t.Errorf("principal %+v does not have exactly one of User and Role as Kind says", p)
			}
		})
	}
	if _, err := s.Principal("deploy"); err == nil || !strings.Contains(err.Error(), "user/deploy or role/deploy") {
		t.Errorf("ambiguity error %v does not say how to choose", err)
	}
}

func TestPolicySetUser(t *testing.T) {
	s := loadPrincipals(t)
	p, err := s.Principal("dana")
	if err != nil {
		t.Fatal(err)
	}
	set := s.PolicySet(p)
	type entry struct {
		kind           account.SourceKind
		name, arn, ver string
		group          string
		missing        bool
		contains       string
	}
	want := []entry{
		{kind: account.SourceInline, name: "dana-inline", contains: "sqs:SendMessage"},
		{kind: account.SourceManaged, name: "shared", arn: "arn:aws:iam::123456789012:policy/shared", ver: "v1", contains: "sns:Publish"},
		{kind: account.SourceInline, name: "admins-inline", group: "admins", contains: "iam:DeleteAccountPasswordPolicy"},
		{kind: account.SourceManaged, name: "AdministratorAccess", arn: "arn:aws:iam::aws:policy/AdministratorAccess", group: "admins", missing: true},
		{kind: account.SourceManaged, name: "shared", arn: "arn:aws:iam::123456789012:policy/shared", ver: "v1", group: "admins", contains: "sns:Publish"},
	}
	if len(set.Identity) != len(want) {
		t.Fatalf("%d identity policies, want %d: %v", len(set.Identity), len(want), set.Identity)
	}
	for i, w := range want {
		d := set.Identity[i]
		got := entry{kind: d.Kind, name: d.Name, arn: d.ARN, ver: d.VersionID, group: d.Group, missing: d.Missing, contains: w.contains}
		if got != w {
			t.Errorf("Identity[%d] = %+v, want %+v", i, got, w)
		}
		if w.missing != (d.Document == nil) {
			t.Errorf("Identity[%d]: Missing %v but Document %s", i, d.Missing, d.Document)
		}
		if w.contains != "" && !strings.Contains(string(d.Document), w.contains) {
			t.Errorf("Identity[%d] document %s lacks %s", i, d.Document, w.contains)
		}
		wantOwner := "arn:aws:iam::123456789012:user/dana"
		if w.group != "" {
			wantOwner = "arn:aws:iam::123456789012:group/admins"
		}
		if d.Owner != wantOwner {
			t.Errorf("Identity[%d].Owner = %s, want %s", i, d.Owner, wantOwner)
		}
	}
	// The boundary's default version is found by DefaultVersionId alone.
	if set.Boundary == nil || set.Boundary.Kind != account.SourceBoundary || set.Boundary.VersionID != "v2" ||
		!strings.Contains(string(set.Boundary.Document), `"sqs:*"`) {
		t.Errorf("Boundary = %+v", set.Boundary)
	}
	if set.Trust != nil {
		t.Errorf("a user has a trust policy: %+v", set.Trust)
	}
	if !reflect.DeepEqual(set.MissingGroups, []string{"ghost-group"}) {
		t.Errorf("MissingGroups = %v", set.MissingGroups)
	}
	if set.Complete() {
		t.Error("Complete() = true with a missing policy and group")
	}
}

func TestPolicySetRole(t *testing.T) {
	s := loadPrincipals(t)
	p, err := s.Principal("role/deploy")
	if err != nil {
		t.Fatal(err)
	}
	set := s.PolicySet(p)
	if len(set.Identity) != 1 || set.Identity[0].Name != "stale" || !set.Identity[0].Missing || set.Identity[0].Document != nil {
		t.Errorf("Identity = %+v, want stale policy without its default version, missing", set.Identity)
	}
	if set.Boundary == nil || !set.Boundary.Missing || set.Boundary.Name != "PowerUserAccess" || !set.Boundary.AWSManaged() {
		t.Errorf("Boundary = %+v, want missing AWS managed PowerUserAccess", set.Boundary)
	}
	if set.Trust == nil || set.Trust.Missing || !strings.Contains(string(set.Trust.Document), "token.actions.githubusercontent.com") {
		t.Errorf("Trust = %+v", set.Trust)
	}
	if set.Complete() {
		t.Error("Complete() = true")
	}

	app, err := s.Principal("app")
	if err != nil {
		t.Fatal(err)
	}
	aset := s.PolicySet(app)
	if aset.Trust == nil || !aset.Trust.Missing {
		t.Errorf("role without AssumeRolePolicyDocument: Trust = %+v, want Missing", aset.Trust)
	}
	if len(aset.Identity) != 0 || aset.Boundary != nil {
		t.Errorf("app: Identity %v Boundary %v, want none", aset.Identity, aset.Boundary)
	}
	if lu := app.Role.RoleLastUsed; lu == nil || lu.Region != "ap-southeast-2" || lu.LastUsedDate.Format("2006-01-02T15:04:05Z07:00") != "2024-02-29T23:59:59Z" {
		t.Errorf("RoleLastUsed = %+v", lu)
	}
}

func TestSourceString(t *testing.T) {
	tests := []struct {
		src  account.Source
		want string
	}{
		{account.Source{Kind: account.SourceInline, Name: "p"}, `inline policy "p"`},
		{account.Source{Kind: account.SourceInline, Name: "p", Group: "g"}, `inline policy "p" via group "g"`},
		{account.Source{Kind: account.SourceManaged, Name: "ReadOnlyAccess", ARN: "arn:aws:iam::aws:policy/ReadOnlyAccess", VersionID: "v3"}, `AWS managed policy "ReadOnlyAccess" (v3)`},
		{account.Source{Kind: account.SourceManaged, Name: "x", ARN: "arn:aws:iam::123456789012:policy/x", Group: "g"}, `managed policy "x" via group "g"`},
		{account.Source{Kind: account.SourceBoundary, Name: "b", ARN: "arn:aws:iam::123456789012:policy/b", VersionID: "v1"}, `permissions boundary, managed policy "b" (v1)`},
		{account.Source{Kind: account.SourceTrust, Name: "AssumeRolePolicyDocument"}, `trust policy`},
	}
	for _, tt := range tests {
		if got := tt.src.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.src, got, tt.want)
		}
	}
}
