package account_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/account"
)

func TestSnapshotWarnings(t *testing.T) {
	s := loadPrincipals(t)
	type want struct {
		kind    account.WarningKind
		subject string
		text    string
	}
	wants := []want{
		{account.WarnDuplicate, "arn:aws:iam::123456789012:role/app", "the first is kept"},
		{account.WarnMissingPolicy, "arn:aws:iam::aws:policy/AdministratorAccess", "attached to arn:aws:iam::123456789012:group/admins"},
		{account.WarnMissingPolicy, "arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::123456789012:role/ci/deploy"},
		{account.WarnNoDefaultVersion, "arn:aws:iam::123456789012:policy/stale", `"v3"`},
		{account.WarnMissingGroup, "ghost-group", "user arn:aws:iam::123456789012:user/dana"},
	}
	got := s.Warnings()
	if len(got) != len(wants) {
		t.Fatalf("%d warnings, want %d: %v", len(got), len(wants), got)
	}
	for i, w := range wants {
		g := got[i]
		if g.Kind != w.kind || g.Subject != w.subject || !strings.Contains(g.Message, w.text) {
			t.Errorf("warning %d = %+v, want kind %s subject %s containing %q", i, g, w.kind, w.subject, w.text)
		}
	}
	if n := len(s.Roles()); n != 2 {
		t.Errorf("%d roles after dropping the duplicate, want 2", n)
	}
	if s.AccountID() != "123456789012" {
		t.Errorf("AccountID() = %q", s.AccountID())
	}
	missing := s.Missing()
	if len(missing) != 2 || missing[0].Name != "AdministratorAccess" || missing[1].Name != "PowerUserAccess" {
		t.Errorf("Missing() = %+v", missing)
	}
}

func TestSnapshotAccountID(t *testing.T) {
	s, err := account.LoadFile("testdata/mixed-accounts.json")
	if err != nil {
		t.Fatal(err)
	}
	if s.AccountID() != "123456789012" {
		t.Errorf("AccountID() = %q, want the majority 123456789012", s.AccountID())
	}
	w := s.Warnings()
	if len(w) != 1 || w[0].Kind != account.WarnMixedAccounts || !strings.Contains(w[0].Message, "210987654321 (1 ARNs)") {
		t.Errorf("Warnings() = %v", w)
	}
	// An AWS managed policy names no account and is not counted.
	if p := s.Policy("arn:aws:iam::aws:policy/ReadOnlyAccess"); p == nil || !p.AWSManaged() {
		t.Errorf("Policy(ReadOnlyAccess) = %+v", p)
	}
}

func TestSnapshotLookups(t *testing.T) {
	s := loadPrincipals(t)
	if g := s.Group("ADMINS"); g == nil || g.GroupName != "admins" {
		t.Errorf("Group(ADMINS) = %+v", g)
	}
	if g := s.Group("arn:aws:iam::123456789012:group/admins"); g == nil {
		t.Error("Group by ARN = nil")
	}
	if s.Group("ghost-group") != nil || s.User("ghost") != nil || s.Role("ghost") != nil || s.Policy("arn:aws:iam::aws:policy/AdministratorAccess") != nil {
		t.Error("lookups of absent entities returned something")
	}
	if r := s.Role("arn:aws:iam::123456789012:role/ci/deploy"); r == nil || r.Path != "/ci/" || r.ServiceLinked() {
		t.Errorf("Role(deploy) = %+v", r)
	}
}

func TestNewMalformedDocument(t *testing.T) {
	d := &account.AuthorizationDetails{
		GroupDetailList: []account.Group{{
			GroupName: "g", ARN: "arn:aws:iam::123456789012:group/g",
			GroupPolicyList: []account.InlinePolicy{{PolicyName: "p", PolicyDocument: []byte(`true`)}},
		}},
	}
	_, err := account.New(d)
	var pe *account.ParseError
	if !errors.As(err, &pe) || !errors.Is(err, account.ErrDocument) || pe.Field != "GroupDetailList[0].GroupPolicyList[0].PolicyDocument" {
		t.Errorf("New = %v (field %q), want ErrDocument at GroupDetailList[0].GroupPolicyList[0].PolicyDocument", err, fieldOf(pe))
	}
}

func fieldOf(pe *account.ParseError) string {
	if pe == nil {
		return ""
	}
	return pe.Field
}
