package review_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/review"
	"github.com/tailor-sec/tailor/usage"
)

// resourceLogCase is a bucket a vendor may read and write and a public
// bucket, with calls from outside accounts on both.
func resourceLogCase(t *testing.T) ([]account.Resource, []tailor.Event) {
	t.Helper()
	in := `[
 {"arn": "arn:aws:s3:::vendor-share", "type": "AWS::S3::Bucket", "account": "111122223333", "policy": {"Statement": [
   {"Sid": "Vendor", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
    "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::vendor-share/*"}]}},
 {"arn": "arn:aws:s3:::public-assets", "type": "AWS::S3::Bucket", "account": "111122223333", "policy": {"Statement": [
   {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::public-assets/*"}]}}
]`
	res, err := account.ReadResources(strings.NewReader(in), "resources.json")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time { return mustTime(t, s) }
	ev := func(tm time.Time, principal, pacct, name, resource, code string) tailor.Event {
		return tailor.Event{Time: tm, EventSource: "s3.amazonaws.com", EventName: name, Region: "us-east-1", Account: "111122223333",
			Principal: principal, PrincipalType: tailor.IdentityAssumedRole, PrincipalAccount: pacct, ErrorCode: code,
			Resources: []string{resource}, Data: true, EventID: principal + name + tm.String(), SourceIP: "198.51.100.7"}
	}
	events := []tailor.Event{
		ev(at("2025-03-02T10:00:00Z"), "arn:aws:iam::444455556666:role/reader", "444455556666", "GetObject", "arn:aws:s3:::vendor-share/a.csv", ""),
		ev(at("2025-03-05T10:00:00Z"), "arn:aws:iam::444455556666:role/reader", "444455556666", "GetObject", "arn:aws:s3:::vendor-share/b.csv", ""),
		ev(at("2025-03-06T10:00:00Z"), "arn:aws:iam::444455556666:role/reader", "444455556666", "DeleteObject", "arn:aws:s3:::vendor-share/b.csv", "AccessDenied"),
		ev(at("2025-03-04T08:00:00Z"), "arn:aws:iam::777788889999:role/crawler", "777788889999", "GetObject", "arn:aws:s3:::public-assets/logo.png", ""),
		// The account's own role: not outside.
		ev(at("2025-03-04T09:00:00Z"), "arn:aws:iam::111122223333:role/AdminRole", "111122223333", "GetObject", "arn:aws:s3:::public-assets/logo.png", ""),
	}
	return res, events
}

func TestResourceFindingsFromLogs(t *testing.T) {
	res, events := resourceLogCase(t)
	snap := loadSnapshot(t, filepath.Join("testdata", "trust", "own-account.json"))
	activity := func(fn func(*usage.Activity) error) error {
		for _, e := range events {
			a := &usage.Activity{Time: e.Time, Account: e.Account, Principal: e.Principal, PrincipalType: string(e.PrincipalType),
				PrincipalAccount: e.PrincipalAccount, EventSource: e.EventSource, EventName: e.EventName, ErrorCode: e.ErrorCode,
				Resources: e.Resources, EventID: e.EventID, SourceIP: e.SourceIP}
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	}
	b := usage.NewBuilder(usage.BuilderOptions{})
	for i := range events {
		b.Add(&events[i], true)
	}
	ix := usage.Finish(usage.Meta{Tool: "test"}, b)
	for _, tc := range []struct {
		name string
		in   review.Input
	}{
		{"events", review.Input{Events: activity}},
		{"usage", review.Input{Usage: ix}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Snapshot, in.Resources, in.Vendors = snap, res, testVendors(t)
			rep := runReview(t, in, review.Options{})

			f := finding(rep, ":::vendor-share", review.RuleResourceOutside)
			if f == nil {
				t.Fatalf("no %s for vendor-share; report: %s", review.RuleResourceOutside, toJSON(t, rep.Principals))
			}
			if f.Severity != review.SeverityMedium || f.Account != "444455556666" || f.Vendor != "Example Vendor" {
				t.Errorf("finding = %s %s %s, want medium for 444455556666 (Example Vendor)", f.Severity, f.Account, f.Vendor)
			}
			if got := fact(f.Evidence, "calls from the account"); got != "2 in the window (1 refused)" {
				t.Errorf("calls from the account = %q", got)
			}
			if got := fact(f.Evidence, "first used"); got != "2025-03-02T10:00:00Z" {
				t.Errorf("first used = %q, want the first GetObject", got)
			}
			used := map[string]int64{}
			for _, a := range f.Evidence.Actions {
				if a.Used {
					used[a.Action] = a.Calls
				}
			}
			if len(used) != 1 || used["s3:GetObject"] != 2 {
				t.Errorf("used actions = %v, want s3:GetObject twice", used)
			}
			if f.Evidence.Actions[0].Action != "s3:GetObject" {
				t.Errorf("the used action is not listed first: %+v", f.Evidence.Actions)
			}
			if !strings.Contains(f.Remedy.Summary, "used s3:GetObject") {
				t.Errorf("remedy = %q, want it to name what was used", f.Remedy.Summary)
			}

			pub := finding(rep, ":::public-assets", review.RuleResourcePublic)
			if pub == nil {
				t.Fatalf("no RESOURCE-PUBLIC for public-assets")
			}
			if got := fact(pub.Evidence, "used by"); got != "777788889999 (Other Vendor): 1 calls, first 2025-03-04T08:00:00Z" {
				t.Errorf("used by = %q", got)
			}
			// The corrected policy names the account seen instead of "*".
			p, err := policy.ParseAs(pub.Remedy.ResourcePolicy, policy.KindResource)
			if err != nil {
				t.Fatalf("corrected policy: %v\n%s", err, pub.Remedy.ResourcePolicy)
			}
			if pr := p.Statements[0].Principal; pr == nil || pr.All || len(pr.AWS) != 1 || pr.AWS[0] != "arn:aws:iam::777788889999:root" {
				t.Errorf("corrected principal = %+v", p.Statements[0].Principal)
			}
			party := principal(rep, ":::public-assets").Parties[0]
			if party.Calls != 1 || !party.FirstActivity.Equal(mustTime(t, "2025-03-04T08:00:00Z")) {
				t.Errorf("party = %+v", party)
			}
		})
	}
}

// TestResourceRemediesClose reviews again each corpus resource with the
// corrected policy its finding proposes: the door must be shut.
func TestResourceRemediesClose(t *testing.T) {
	snap := loadSnapshot(t, filepath.Join("testdata", "trust", "own-account.json"))
	files, err := filepath.Glob(filepath.Join("testdata", "resources", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, file := range files {
		res, err := account.LoadResources(file)
		if err != nil {
			t.Fatal(err)
		}
		rep := runReview(t, review.Input{Snapshot: snap, Resources: res}, review.Options{})
		for _, p := range rep.Principals {
			for _, f := range p.Findings {
				if len(f.Remedy.ResourcePolicy) == 0 || strings.Contains(string(f.Remedy.ResourcePolicy), "<") {
					continue // no corrected policy, or one with placeholders to fill
				}
				fixed := res[0]
				fixed.Policy = json.RawMessage(f.Remedy.ResourcePolicy)
				again := runReview(t, review.Input{Snapshot: snap, Resources: []account.Resource{fixed}}, review.Options{})
				for _, q := range again.Principals {
					for _, g := range q.Findings {
						if g.ID == f.ID {
							t.Errorf("%s: %s still found after its remedy:\n%s", filepath.Base(file), f.ID, f.Remedy.ResourcePolicy)
						}
					}
				}
				checked++
			}
		}
	}
	t.Logf("%d corrected policies checked", checked)
	if checked < 4 {
		t.Errorf("only %d corrected policies checked", checked)
	}
}

// TestDemoResources reviews the demo with its resources.json: item 8 of
// what testdata/demo/README.md says a reviewer should find.
func TestDemoResources(t *testing.T) {
	ix, _ := ingestLogs(t, filepath.Join(demoDir, "AWSLogs"))
	res, err := account.LoadResources(filepath.Join(demoDir, "resources.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := review.LoadVendors(filepath.Join("testdata", "vendors", "demo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rep := runReview(t, review.Input{Snapshot: loadSnapshot(t, filepath.Join(demoDir, "iam.json")), Usage: ix, Resources: res, Vendors: v}, review.Options{})
	got := map[string]map[string]string{}
	for _, p := range rep.Principals {
		if p.Kind != review.KindResource {
			continue
		}
		got[p.Name] = map[string]string{}
		for _, f := range p.Findings {
			got[p.Name][f.Rule] = f.Severity.String()
		}
	}
	// The cost report bucket open to CloudZero's account (reads); the
	// snapshot shared with an account no list names. The trail bucket and
	// the billing service are tied to the account: nothing.
	sameFindings(t, got, map[string]map[string]string{
		"acme-prod-cost-reports": {"RESOURCE-OUTSIDE-ACCOUNT": "medium"},
		"snap-0d4c7e19a2b35f680": {"RESOURCE-OUTSIDE-ACCOUNT": "high"},
	})
	f := finding(rep, ":::acme-prod-cost-reports", review.RuleResourceOutside)
	if f.Vendor != "CloudZero" {
		t.Errorf("vendor = %q, want CloudZero", f.Vendor)
	}
	// CloudZero reads the bucket through CloudZeroCostRole, a role of the
	// account: never directly.
	if got := fact(f.Evidence, "calls from the account"); got != "none in the window 2026-10-01 to 2026-10-14" {
		t.Errorf("calls from the account = %q", got)
	}
	if strings.Contains(string(f.Remedy.ResourcePolicy), "061190967865") || !strings.Contains(string(f.Remedy.ResourcePolicy), "billingreports.amazonaws.com") {
		t.Errorf("corrected policy should drop CloudZero and keep the billing service:\n%s", f.Remedy.ResourcePolicy)
	}
}
