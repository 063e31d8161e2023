package review_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/review"
)

// TestTrustFindings reviews one hand-written snapshot per trust shape.
// Every snapshot is of account 111122223333; 444455556666 is "Example
// Vendor" in testdata/vendors/known.yaml. Roles were last used on
// 2026-05-01 unless the case says otherwise, and "now" is 2026-06-01.
func TestTrustFindings(t *testing.T) {
	tests := []struct {
		file string
		own  []string
		want map[string]map[string]string
	}{
		// Principal "*" with no condition: anyone may assume it.
		{"open-trust", nil, map[string]map[string]string{"OpenRole": {"TRUST-OPEN": "critical"}}},
		// "*" narrowed to one organization by aws:PrincipalOrgID.
		{"open-trust-org-condition", nil, map[string]map[string]string{"OrgWideRole": {"TRUST-OPEN": "medium"}}},
		// "*" narrowed to the account itself: not outside trust.
		{"open-trust-own-account-condition", nil, map[string]map[string]string{}},
		// Vendor account root, no ExternalId.
		{"whole-account-no-external-id", nil, map[string]map[string]string{"VendorRole": {"TRUST-NO-EXTERNAL-ID": "high", "TRUST-WHOLE-ACCOUNT": "medium"}}},
		// Vendor account root with a long random ExternalId: the usual
		// vendor setup, only the whole-account trust remains.
		{"whole-account-with-external-id", nil, map[string]map[string]string{"VendorRole": {"TRUST-WHOLE-ACCOUNT": "low"}}},
		// A bare account id means the account's root.
		{"bare-account-id", nil, map[string]map[string]string{"VendorRole": {"TRUST-WHOLE-ACCOUNT": "low"}}},
		// A named vendor role, ExternalId "12345".
		{"role-principal-weak-external-id", nil, map[string]map[string]string{"VendorRole": {"TRUST-WEAK-EXTERNAL-ID": "medium"}}},
		// StringEqualsIfExists passes when no ExternalId is sent.
		{"external-id-ifexists", nil, map[string]map[string]string{"VendorRole": {"TRUST-NO-EXTERNAL-ID": "high"}}},
		// Null false only requires that some ExternalId is sent.
		{"external-id-null", nil, map[string]map[string]string{"VendorRole": {"TRUST-NO-EXTERNAL-ID": "high"}}},
		// StringLike "vendor-*": a pattern, and short.
		{"external-id-like-wildcard", nil, map[string]map[string]string{"VendorRole": {"TRUST-WEAK-EXTERNAL-ID": "medium"}}},
		// The account's own root.
		{"own-account", nil, map[string]map[string]string{}},
		// Another account: outside unless given as one of the owner's.
		{"other-own-account", nil, map[string]map[string]string{"AuditRole": {"TRUST-NO-EXTERNAL-ID": "high", "TRUST-WHOLE-ACCOUNT": "medium"}}},
		{"other-own-account", []string{"999988887777"}, map[string]map[string]string{}},
		// GitHub Actions OIDC with an audience but no subject condition.
		{"github-oidc-no-subject", nil, map[string]map[string]string{"DeployRole": {"TRUST-OIDC-NO-SUBJECT": "critical"}}},
		{"github-oidc-with-subject", nil, map[string]map[string]string{}},
		// OrganizationAccountAccessRole trusting another account, with
		// "*" on "*": the organization's management account, by design;
		// everything is capped at low.
		{"organization-access-role", nil, map[string]map[string]string{"OrganizationAccountAccessRole": {
			"TRUST-NO-EXTERNAL-ID": "low", "TRUST-WHOLE-ACCOUNT": "low", "SENSITIVE-ON-ALL-RESOURCES": "low", "NO-BOUNDARY-WRITE": "low",
			"ESCALATION-PATH": "low"}}},
		// Two vendors given the same ExternalId.
		{"shared-external-id", nil, map[string]map[string]string{
			"VendorARole": {"TRUST-WEAK-EXTERNAL-ID": "medium"}, "VendorBRole": {"TRUST-WEAK-EXTERNAL-ID": "medium"}}},
		// Allow with NotPrincipal admits everyone else.
		{"not-principal", nil, map[string]map[string]string{"NotPrincipalRole": {"TRUST-OPEN": "critical"}}},
		{"service-only", nil, map[string]map[string]string{}},
		{"deny-external", nil, map[string]map[string]string{}},
		// sts:TagSession alone does not let the account assume the role.
		{"tag-session-only", nil, map[string]map[string]string{}},
		// Created 2025-06-01, no RoleLastUsed, while another role has one.
		{"never-used", nil, map[string]map[string]string{"DormantRole": {"ROLE-NEVER-USED": "medium", "TRUST-WHOLE-ACCOUNT": "low"}}},
		// Last used 2026-01-15, 137 days before now.
		{"inactive", nil, map[string]map[string]string{"StaleRole": {"ROLE-INACTIVE": "medium", "TRUST-WHOLE-ACCOUNT": "low"}}},
		// s3:GetObject, kms:Decrypt, iam:PassRole and ec2:TerminateInstances
		// on "*", but the boundary denies TerminateInstances; the
		// secret is granted on one prefix only. No logs: usage unknown,
		// and iam:PassRole makes it critical.
		{"sensitive-with-boundary", nil, map[string]map[string]string{"VendorRole": {"SENSITIVE-ON-ALL-RESOURCES": "critical", "TRUST-WHOLE-ACCOUNT": "low"}}},
	}
	for _, tt := range tests {
		name := tt.file
		if tt.own != nil {
			name += "/own-accounts"
		}
		t.Run(name, func(t *testing.T) {
			snap := loadSnapshot(t, filepath.Join("testdata", "trust", tt.file+".json"))
			rep := runReview(t, review.Input{Snapshot: snap, Vendors: testVendors(t)},
				review.Options{OwnAccounts: tt.own, Now: mustTime(t, "2026-06-01T00:00:00Z")})
			sameFindings(t, findings(rep), tt.want)
		})
	}
}

func reviewTrustCase(t *testing.T, file string) *review.Report {
	t.Helper()
	snap := loadSnapshot(t, filepath.Join("testdata", "trust", file+".json"))
	return runReview(t, review.Input{Snapshot: snap, Vendors: testVendors(t)}, review.Options{Now: mustTime(t, "2026-06-01T00:00:00Z")})
}

// TestCorrectedTrustRequiresExternalID checks that the corrected trust
// policy of a role without an ExternalId parses, admits the same outside
// account, and requires an ExternalId there.
func TestCorrectedTrustRequiresExternalID(t *testing.T) {
	for _, file := range []string{"whole-account-no-external-id", "external-id-ifexists", "external-id-null", "open-trust"} {
		t.Run(file, func(t *testing.T) {
			rep := reviewTrustCase(t, file)
			var f *review.Finding
			for _, p := range rep.Principals {
				for _, g := range p.Findings {
					if g.Rule == review.RuleTrustNoExternalID || g.Rule == review.RuleTrustOpen {
						f = g
					}
				}
			}
			if f == nil || len(f.Remedy.TrustPolicy) == 0 {
				t.Fatalf("no trust remedy: %+v", f)
			}
			p, err := policy.Parse(f.Remedy.TrustPolicy)
			if err != nil {
				t.Fatalf("corrected trust does not parse: %v\n%s", err, f.Remedy.TrustPolicy)
			}
			external := 0
			for _, tr := range policy.Trustees(p) {
				if tr.Kind == policy.TrustAnyone {
					t.Errorf("corrected trust still admits anyone: %s", f.Remedy.TrustPolicy)
				}
				if !tr.External([]string{"111122223333"}) {
					continue
				}
				external++
				if !tr.HasCondition("sts:ExternalId") || !slices.Contains(tr.ExternalIDs, "<EXTERNAL-ID-FROM-VENDOR>") {
					t.Errorf("trustee %s has no ExternalId placeholder: %s", tr.Principal, f.Remedy.TrustPolicy)
				}
				for _, c := range tr.Conditions {
					if strings.EqualFold(c.Key, "sts:ExternalId") && c.Operator != "StringEquals" {
						t.Errorf("ExternalId condition kept operator %s", c.Operator)
					}
				}
			}
			if external == 0 {
				t.Errorf("corrected trust admits no outside principal (a placeholder is expected): %s", f.Remedy.TrustPolicy)
			}
		})
	}
}

// TestExternalIDNeverShown checks that no ExternalId value reaches the
// report, while its mask does.
func TestExternalIDNeverShown(t *testing.T) {
	const secret = "Qm9uZ3JhcGgtZXh0ZXJuYWwtaWQtOTQ3MjE" // in the fixtures
	for _, file := range []string{"whole-account-with-external-id", "shared-external-id", "role-principal-weak-external-id", "external-id-like-wildcard"} {
		t.Run(file, func(t *testing.T) {
			rep := reviewTrustCase(t, file)
			out := toJSON(t, rep)
			for _, v := range []string{secret, "12345\"", "vendor-*"} {
				if strings.Contains(out, v) {
					t.Errorf("the report shows an ExternalId value %q", v)
				}
			}
		})
	}
	rep := reviewTrustCase(t, "shared-external-id")
	f := finding(rep, "role/VendorARole", review.RuleTrustWeakExtID)
	if f == nil {
		t.Fatal("no weak ExternalId finding")
	}
	m := review.Mask(secret)
	if got := toJSON(t, f.Evidence); !strings.Contains(got, m.Fingerprint) || !strings.Contains(got, "35 characters") {
		t.Errorf("evidence lacks the mask %s: %s", m, got)
	}
	if got := fact(f.Evidence, "external id"); !strings.Contains(got, "also required of 777788889999") {
		t.Errorf("weakness = %q, want it shared with 777788889999", got)
	}
}

// TestSensitiveRemedyBoundary checks the boundary of
// SENSITIVE-ON-ALL-RESOURCES: it keeps the existing boundary and denies
// the unused sensitive actions named.
func TestSensitiveRemedyBoundary(t *testing.T) {
	rep := reviewTrustCase(t, "sensitive-with-boundary")
	f := finding(rep, "role/VendorRole", review.RuleSensitiveAll)
	if f == nil {
		t.Fatal("no finding")
	}
	var names []string
	for _, a := range f.Evidence.Actions {
		names = append(names, a.Action)
	}
	if want := []string{"iam:PassRole", "kms:Decrypt", "s3:GetObject"}; !slices.Equal(names, want) {
		t.Errorf("actions %v, want %v (privilege escalation first)", names, want)
	}
	b, err := policy.Parse(f.Remedy.Boundary)
	if err != nil {
		t.Fatalf("boundary: %v\n%s", err, f.Remedy.Boundary)
	}
	set := policy.PolicySet{Identity: []*policy.Policy{mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}, Boundary: b}
	for _, tc := range []struct {
		action, resource string
		want             policy.Outcome
	}{
		{"s3:GetObject", "arn:aws:s3:::bucket/key", policy.ExplicitDeny},
		{"kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k", policy.ExplicitDeny},
		{"iam:PassRole", "arn:aws:iam::111122223333:role/r", policy.ExplicitDeny},
		{"ec2:TerminateInstances", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", policy.ExplicitDeny}, // the old boundary's Deny
		{"s3:ListBucket", "arn:aws:s3:::bucket", policy.Allowed},                                           // the old boundary's Allow
	} {
		if d := policy.Evaluate(policy.Request{Action: tc.action, Resource: tc.resource}, set); d.Outcome != tc.want {
			t.Errorf("%s under the new boundary: %v, want %v", tc.action, d.Outcome, tc.want)
		}
	}
	if !strings.Contains(strings.Join(f.Remedy.Steps, " "), "existing one") {
		t.Errorf("steps do not say the boundary extends the existing one: %v", f.Remedy.Steps)
	}
}

func mustParse(t *testing.T, s string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestStableIDs checks that finding ids depend only on the rule, the
// principal and what the finding is about.
func TestStableIDs(t *testing.T) {
	a := reviewTrustCase(t, "whole-account-no-external-id")
	b := reviewTrustCase(t, "whole-account-no-external-id")
	fa := finding(a, "role/VendorRole", review.RuleTrustNoExternalID)
	fb := finding(b, "role/VendorRole", review.RuleTrustNoExternalID)
	if fa == nil || fb == nil || fa.ID != fb.ID {
		t.Fatalf("ids differ between runs: %v %v", fa, fb)
	}
	if !strings.HasPrefix(fa.ID, "TRUST-NO-EXTERNAL-ID-") || len(fa.ID) != len("TRUST-NO-EXTERNAL-ID-")+8 {
		t.Errorf("id %q, want TRUST-NO-EXTERNAL-ID-<8 hex digits>", fa.ID)
	}
	w := finding(a, "role/VendorRole", review.RuleTrustWholeAccount)
	if w.ID[len(w.ID)-8:] != fa.ID[len(fa.ID)-8:] {
		t.Errorf("findings about the same principal and account should share the hash: %s %s", w.ID, fa.ID)
	}
	// The same role and account, with another trust statement: the same
	// problem, the same id.
	same := reviewTrustCase(t, "external-id-null")
	if g := finding(same, "role/VendorRole", review.RuleTrustNoExternalID); g == nil || g.ID != fa.ID {
		t.Errorf("the same role and account got another id: %v, want %s", g, fa.ID)
	}
	other := reviewTrustCase(t, "other-own-account")
	if g := finding(other, "role/AuditRole", review.RuleTrustNoExternalID); g == nil || g.ID == fa.ID {
		t.Errorf("a finding about another role has the same id: %v", g)
	}
}
