package review_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/review"
)

var demoDir = filepath.Join("..", "testdata", "demo")

// reviewDemo reviews the bundled demo data set with all its inputs.
func reviewDemo(t *testing.T, withEvents bool) *review.Report {
	t.Helper()
	ix, events := ingestLogs(t, filepath.Join(demoDir, "AWSLogs"))
	cr, err := account.LoadCredentialReport(filepath.Join(demoDir, "credential-report.csv"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := review.LoadVendors(filepath.Join("testdata", "vendors", "demo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	in := review.Input{Snapshot: loadSnapshot(t, filepath.Join(demoDir, "iam.json")), Usage: ix, Credentials: cr, Vendors: v}
	if withEvents {
		in.Events = scanner(events)
	}
	return runReview(t, in, review.Options{})
}

// TestDemo checks the review of the demo against what
// testdata/demo/README.md says a reviewer should find.
func TestDemo(t *testing.T) {
	rep := reviewDemo(t, true)
	want := map[string]map[string]string{
		// 1. Trust to the whole CloudZero account, no ExternalId, created
		// on 2026-10-06 in the window; inline policy grants ce:* (writes)
		// and the role has no boundary.
		"CloudZeroCostRole": {
			"TRUST-NO-EXTERNAL-ID": "high", "TRUST-WHOLE-ACCOUNT": "medium", "TRUST-CHANGE-SEEN": "medium",
			"PERMISSIONS-UNUSED": "medium", "NO-BOUNDARY-WRITE": "low",
		},
		// 2. kms:Decrypt, s3:GetObject, secretsmanager:GetSecretValue on
		// "*", never used; most of the grant unused; trust to Datadog's
		// account root with an ExternalId.
		"DatadogIntegrationRole": {
			"SENSITIVE-ON-ALL-RESOURCES": "high", "PERMISSIONS-UNUSED": "medium", "TRUST-WHOLE-ACCOUNT": "low",
		},
		// 3. Never used (no RoleLastUsed, no record in the logs).
		"LaceworkSecurityAuditRole": {
			"ROLE-NEVER-USED": "medium", "PERMISSIONS-UNUSED": "medium", "TRUST-WHOLE-ACCOUNT": "low",
		},
		// 4. Cloudability's account assumed CloudabilityRole until it was
		// deleted on 2026-10-04, then was refused.
		"165736516723:root": {"ACCOUNT-NOT-TRUSTED": "medium"},
		// 5. The burst from 203.0.113.77 (new address, then successful
		// reads), a key rotated 2023-06-09, an inactive key; the key is
		// used from public addresses, and the reporting group grants
		// athena:* writes without a boundary.
		"legacy-reporting": {
			"DENIED-BURST": "critical", "KEY-OLD": "medium", "KEY-INACTIVE-PRESENT": "low", "KEY-USED-OUTSIDE": "low",
			"PERMISSIONS-UNUSED": "medium", "NO-BOUNDARY-WRITE": "low",
		},
		// backup-sync: a key rotated 2024-02-14, used from 192.0.2.50;
		// its policy grants s3:DeleteObject (write) without a boundary.
		"backup-sync": {"KEY-OLD": "medium", "KEY-USED-OUTSIDE": "low", "NO-BOUNDARY-WRITE": "low"},
		// 6. Root console sign-in on 2026-10-07.
		"364851209736:root": {"ROOT-USED": "medium"},
	}
	got := map[string]map[string]string{}
	for _, p := range rep.Principals {
		key := p.Name
		if p.Kind == review.KindAccount || p.Kind == review.KindRoot {
			key = p.ARN[strings.Index(p.ARN, "::")+2:]
		}
		m := map[string]string{}
		for _, f := range p.Findings {
			m[f.Rule] = f.Severity.String()
		}
		got[key] = m
	}
	sameFindings(t, got, want)

	// Worst first.
	if rep.Principals[0].Name != "legacy-reporting" {
		t.Errorf("first principal %s, want legacy-reporting (critical)", rep.Principals[0].ARN)
	}
	for i := 1; i < len(rep.Principals); i++ {
		if rep.Principals[i].Worst > rep.Principals[i-1].Worst {
			t.Errorf("principal %d (%s) is worse than the one before", i, rep.Principals[i].ARN)
		}
	}
	// "now" is the end of the logs, not the clock.
	if got := rep.Now.Format("2006-01-02"); got != "2026-10-14" {
		t.Errorf("now = %s, want the last day of the logs, 2026-10-14", rep.Now)
	}

	t.Run("datadog sensitive grants unused", func(t *testing.T) {
		f := finding(rep, "role/DatadogIntegrationRole", review.RuleSensitiveAll)
		var got []string
		for _, a := range f.Evidence.Actions {
			if a.Used {
				t.Errorf("%s marked used", a.Action)
			}
			got = append(got, a.Action)
		}
		if want := []string{"kms:Decrypt", "s3:GetObject", "secretsmanager:GetSecretValue"}; !slices.Equal(got, want) {
			t.Errorf("actions %v, want %v", got, want)
		}
		p := principal(rep, "role/DatadogIntegrationRole")
		if len(p.Parties) != 1 || p.Parties[0].Vendor != "Datadog" || !p.Parties[0].ExternalID || p.Parties[0].Assumptions == 0 {
			t.Errorf("party %+v", p.Parties[0])
		}
		u := finding(rep, "role/DatadogIntegrationRole", review.RulePermissionsUnused)
		if d := fact(u.Evidence, "tried but denied"); !strings.HasPrefix(d, "organizations:DescribeOrganization ×") {
			t.Errorf("tried but denied = %q, want organizations:DescribeOrganization", d)
		}
	})
	t.Run("cloudzero trust narrowed to the connector", func(t *testing.T) {
		f := finding(rep, "role/CloudZeroCostRole", review.RuleTrustWholeAccount)
		if !strings.Contains(string(f.Remedy.TrustPolicy), "arn:aws:iam::061190967865:role/cloudzero-connector") ||
			strings.Contains(string(f.Remedy.TrustPolicy), "061190967865:root") {
			t.Errorf("corrected trust should name the connector role instead of the account:\n%s", f.Remedy.TrustPolicy)
		}
		c := finding(rep, "role/CloudZeroCostRole", review.RuleTrustChangeSeen)
		if len(c.Evidence.Events) != 1 || c.Evidence.Events[0].Event != "iam:CreateRole" ||
			c.Evidence.Events[0].SessionName != "maria.garcia@acme.example" || c.Evidence.Events[0].Time.Format("2006-01-02") != "2026-10-06" {
			t.Errorf("change events %+v", c.Evidence.Events)
		}
	})
	t.Run("cloudability still trying", func(t *testing.T) {
		f := finding(rep, "165736516723:root", review.RuleAccountNotTrusted)
		if f.Vendor != "Cloudability" || fact(f.Evidence, "in the snapshot") != "no" {
			t.Errorf("finding %+v", f)
		}
		// The logs hold 7 successful assumptions (2026-10-01 to 10-04) and
		// one refusal after the DeleteRole of 2026-10-04 10:42.
		if fact(f.Evidence, "assumptions") != "7" || fact(f.Evidence, "refused") != "1" ||
			fact(f.Evidence, "last refused") != "2026-10-04T17:19:51Z" {
			t.Errorf("facts %+v", f.Evidence.Facts)
		}
		deleted := false
		for _, e := range f.Evidence.Events {
			if e.Event == "iam:DeleteRole" {
				deleted = true
			}
		}
		if !deleted {
			t.Error("the DeleteRole event is not in the evidence")
		}
	})
	t.Run("legacy-reporting burst", func(t *testing.T) {
		f := finding(rep, "user/legacy-reporting", review.RuleDeniedBurst)
		for _, want := range []string{"44 calls were refused", "203.0.113.77", "had not used before", "s3:GetObject ×5"} {
			if !strings.Contains(f.Evidence.Summary, want) {
				t.Errorf("summary lacks %q: %s", want, f.Evidence.Summary)
			}
		}
		if f.Remedy.AccessKey == nil || f.Remedy.AccessKey.ID != "AKIA7WH73SOVONLJEZQ5" {
			t.Errorf("key to rotate %+v", f.Remedy.AccessKey)
		}
		k := finding(rep, "user/legacy-reporting", review.RuleKeyOld)
		if k.Remedy.AccessKey == nil || k.Remedy.AccessKey.Slot != 1 || k.Remedy.AccessKey.ID != "AKIA7WH73SOVONLJEZQ5" {
			t.Errorf("old key %+v", k.Remedy.AccessKey)
		}
		o := finding(rep, "user/legacy-reporting", review.RuleKeyUsedOutside)
		if !strings.Contains(string(o.Remedy.Boundary), `"192.0.2.51/32"`) || strings.Contains(string(o.Remedy.Boundary), "203.0.113.77") {
			t.Errorf("the source-address boundary should allow the usual address only:\n%s", o.Remedy.Boundary)
		}
	})
}

// TestDemoWithoutEvents reviews the demo from the usage index alone: the
// burst becomes a day with many refusals, and what needs exact events
// (new address, follow-up reads) is gone.
func TestDemoWithoutEvents(t *testing.T) {
	rep := reviewDemo(t, false)
	f := finding(rep, "user/legacy-reporting", review.RuleDeniedBurst)
	if f == nil || f.Severity != review.SeverityMedium || fact(f.Evidence, "2026-10-11") != "44 denied" {
		t.Fatalf("daily burst %+v", f)
	}
	// Assumptions come from the index's AssumeRole rows.
	if a := finding(rep, "165736516723:root", review.RuleAccountNotTrusted); a == nil || fact(a.Evidence, "refused") != "1" {
		t.Errorf("untrusted account %+v", a)
	}
	if c := finding(rep, "role/CloudZeroCostRole", review.RuleTrustChangeSeen); c == nil || c.Evidence.Events[0].Event != "iam:CreateRole" {
		t.Errorf("trust change from the index %+v", c)
	}
}

// fakeRightsizer is a Rightsizer made of a function field.
type fakeRightsizer struct {
	suggest func(ctx context.Context, arn string) (json.RawMessage, error)
}

func (f fakeRightsizer) Suggest(ctx context.Context, arn string) (json.RawMessage, error) {
	return f.suggest(ctx, arn)
}

// TestDemoOptions reviews the demo with the owner's networks and a
// rightsizer attached.
func TestDemoOptions(t *testing.T) {
	ix, events := ingestLogs(t, filepath.Join(demoDir, "AWSLogs"))
	snap := loadSnapshot(t, filepath.Join(demoDir, "iam.json"))
	var asked []string
	rs := fakeRightsizer{suggest: func(_ context.Context, arn string) (json.RawMessage, error) {
		asked = append(asked, arn)
		if strings.HasSuffix(arn, "DatadogIntegrationRole") {
			return nil, errors.New("no suggestion today")
		}
		return json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ce:GetCostAndUsage","Resource":"*"}]}`), nil
	}}
	rep := runReview(t, review.Input{Snapshot: snap, Usage: ix, Events: scanner(events)}, review.Options{
		OwnNetworks: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")},
		Rightsizer:  rs,
	})
	// backup-sync (192.0.2.50) and legacy-reporting's usual address
	// (192.0.2.51) are inside; the burst's 203.0.113.77 is not.
	if f := finding(rep, "user/backup-sync", review.RuleKeyUsedOutside); f != nil {
		t.Errorf("backup-sync used from outside: %s", f.Evidence.Summary)
	}
	f := finding(rep, "user/legacy-reporting", review.RuleKeyUsedOutside)
	if f == nil || !strings.Contains(f.Evidence.Summary, "203.0.113.77") || strings.Contains(f.Evidence.Summary, "192.0.2.51") {
		t.Errorf("legacy-reporting outside use: %+v", f)
	}
	// The hook is asked for every PERMISSIONS-UNUSED principal; its
	// suggestion lands in the remedy, its error in the notes.
	u := finding(rep, "role/CloudZeroCostRole", review.RulePermissionsUnused)
	if u == nil || !strings.Contains(string(u.Remedy.SuggestedPolicy), "ce:GetCostAndUsage") ||
		!strings.HasPrefix(u.Remedy.Commands[0], "tailor rightsize --usage INDEX.parquet --iam AUTHZ.json --principal arn:aws:iam::364851209736:role/CloudZeroCostRole") {
		t.Errorf("remedy %+v", u.Remedy)
	}
	if d := finding(rep, "role/DatadogIntegrationRole", review.RulePermissionsUnused); d == nil || d.Remedy.SuggestedPolicy != nil {
		t.Errorf("a failed suggestion should leave the command only: %+v", d)
	}
	noted := false
	for _, n := range rep.Notes {
		noted = noted || strings.Contains(n, "no suggestion today")
	}
	if !noted || len(asked) < 3 {
		t.Errorf("asked %v, notes %v", asked, rep.Notes)
	}
}

// TestDemoEventsOnly reviews the demo from the activity log alone: the
// actions used come from the events themselves.
func TestDemoEventsOnly(t *testing.T) {
	_, events := ingestLogs(t, filepath.Join(demoDir, "AWSLogs"))
	rep := runReview(t, review.Input{Snapshot: loadSnapshot(t, filepath.Join(demoDir, "iam.json")), Events: scanner(events)}, review.Options{})
	for _, want := range []struct{ principal, rule string }{
		{"user/legacy-reporting", review.RuleDeniedBurst},
		{"165736516723:root", review.RuleAccountNotTrusted},
		{"role/CloudZeroCostRole", review.RuleTrustChangeSeen},
		{"role/LaceworkSecurityAuditRole", review.RuleRoleNeverUsed},
	} {
		if finding(rep, want.principal, want.rule) == nil {
			t.Errorf("no %s for %s", want.rule, want.principal)
		}
	}
	f := finding(rep, "role/DatadogIntegrationRole", review.RuleSensitiveAll)
	if f == nil || f.Severity != review.SeverityHigh {
		t.Fatalf("sensitive grants %+v", f)
	}
	u := finding(rep, "role/DatadogIntegrationRole", review.RulePermissionsUnused)
	if u == nil || fact(u.Evidence, "used actions") != "12" {
		t.Errorf("used actions from the events: %+v", u)
	}
}
