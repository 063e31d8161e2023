package report_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/policydiff"
	"github.com/tailor-sec/tailor/report"
	"github.com/tailor-sec/tailor/rightsize"
)

// The -update flag may be registered by another test file of the package.
var _ = func() bool {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the .golden files")
	}
	return true
}()

func rsUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// rsGolden compares got with testdata/rightsize/<name>.golden.
func rsGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "rightsize", name+".golden")
	if rsUpdate() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n%s", name, path, policydiff.Unified(want, got, policydiff.Options{FromFile: "want", ToFile: "got"}))
	}
}

func rsPolicy(t *testing.T, name, doc string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	p.Name = name
	return p
}

var (
	rsDay0 = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	rsLast = time.Date(2026, 10, 14, 23, 3, 6, 0, time.UTC)
)

// rsFixtures are suggestions written by hand: the report renders, it
// does not compute, so its input need not come from the rightsizer.
func rsFixtures(t *testing.T) map[string]*rightsize.Suggestion {
	window := rightsize.Window{Since: rsDay0, Until: rsDay0.AddDate(0, 0, 14), Days: 14, DaysWithLogs: 14,
		Accounts: []string{"111122223333"}, Regions: []string{"eu-west-1", "us-east-1"}, DataEventSources: []string{"s3.amazonaws.com"}}
	narrowed := &rightsize.Suggestion{
		Principal: "arn:aws:iam::111122223333:role/VendorRole", Name: "VendorRole", Kind: "role", Window: window,
		Current: []*policy.Policy{
			rsPolicy(t, `managed policy "VendorReadOnly" (v3)`, `{"Version":"2012-10-17","Statement":[
				{"Sid":"ReadOnly","Effect":"Allow","Action":["ec2:DescribeInstances","ec2:DescribeVolumes","cloudwatch:GetMetricData"],"Resource":"*"},
				{"Sid":"Secrets","Effect":"Allow","Action":["kms:Decrypt","secretsmanager:GetSecretValue","s3:GetObject"],"Resource":"*"}]}`),
			rsPolicy(t, `inline policy "pass"`, `{"Version":"2012-10-17","Statement":[
				{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app"},
				{"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`),
		},
		Boundary: rsPolicy(t, `permissions boundary, managed policy "Fence" (v1)`, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`),
		Policies: []*policy.Policy{rsPolicy(t, "VendorRole-rightsized", `{"Version":"2012-10-17","Statement":[
				{"Sid":"ReadOnly","Effect":"Allow","Action":["cloudwatch:GetMetricData","ec2:DescribeInstances"],"Resource":"*"},
				{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app"},
				{"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`)},
		Resources: rightsize.ResourcesKeep,
		Kept: []rightsize.Action{
			{Action: "cloudwatch:GetMetricData", Reason: rightsize.KeptUsed, Calls: 1344, LastUsed: rsLast, Detail: "cloudwatch:GetMetricData"},
			{Action: "ec2:DescribeInstances", Reason: rightsize.KeptUsed, Calls: 98, LastUsed: rsLast.Add(-time.Hour), Detail: "ec2:DescribeInstances"},
		},
		Unobservable: []rightsize.Action{{Action: "iam:PassRole", Reason: rightsize.KeptPermissionOnly, Detail: "guards no API call of its own: CloudTrail never names it"}},
		Removed: []rightsize.Action{
			{Action: "ec2:DescribeVolumes", Reason: rightsize.RemovedUnused},
			{Action: "kms:Decrypt", Reason: rightsize.RemovedUnused},
			{Action: "s3:GetObject", Reason: rightsize.RemovedOutsideWindow, LastUsed: rsDay0.AddDate(0, -2, 3), Detail: "last used 2026-08-04, outside the window"},
			{Action: "secretsmanager:GetSecretValue", Reason: rightsize.RemovedUnused},
		},
		Denied:       []rightsize.Denied{{Action: "organizations:DescribeOrganization", Calls: 14, LastSeen: rsLast, Events: []string{"organizations:DescribeOrganization"}}},
		Granted:      7,
		Used:         2,
		UnusedShare:  5.0 / 7,
		Sizes:        []int{301},
		Verification: rightsize.Verification{NoNewAccess: true, ObservedRequests: 31, AllowedToday: 31},
	}
	incomplete := &rightsize.Suggestion{
		Principal: "arn:aws:iam::111122223333:user/legacy", Name: "legacy", Kind: "user",
		Window: rightsize.Window{Since: rsDay0, Until: rsDay0.AddDate(0, 0, 10), Days: 10, DaysWithLogs: 7,
			MissingDays: []time.Time{rsDay0.AddDate(0, 0, 2), rsDay0.AddDate(0, 0, 3), rsDay0.AddDate(0, 0, 7)},
			Accounts:    []string{"111122223333"}, Regions: []string{"us-east-1"}},
		Current: []*policy.Policy{rsPolicy(t, `inline policy "reports"`, `{"Version":"2012-10-17","Statement":[
				{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::reports","arn:aws:s3:::reports/*"]},
				{"Effect":"Allow","Action":"ce:*","Resource":"*"}]}`)},
		Policies: []*policy.Policy{
			rsPolicy(t, "legacy-rightsized-1", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::reports","arn:aws:s3:::reports/*"]}]}`),
			rsPolicy(t, "legacy-rightsized-2", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ce:*","Resource":"*"}]}`),
		},
		Resources:    rightsize.ResourcesObserved,
		Kept:         []rightsize.Action{{Action: "s3:GetObject", Reason: rightsize.KeptUsed, Calls: 40, LastUsed: rsLast, Resources: []string{"arn:aws:s3:::reports/q3.csv"}}},
		Unobservable: []rightsize.Action{{Action: "s3:ListBucket", Reason: rightsize.KeptWindowIncomplete, Detail: "3 of 10 days in the window have no logs"}},
		Removed:      []rightsize.Action{},
		Unmapped:     []rightsize.Unmapped{{Event: "ce:GetSomethingNew", Calls: 2, LastSeen: rsLast}},
		Granted:      60, Used: 1, UnusedShare: 59.0 / 60, Conditional: 0,
		Sizes: []int{140, 73}, Split: true,
		Verification: rightsize.Verification{NoNewAccess: true, ObservedRequests: 1, AllowedToday: 1, ContextsSampled: 9},
		Notes:        []string{"3 of 10 days in the window have no logs: every statement is kept as it is"},
	}
	empty := &rightsize.Suggestion{
		Principal: "arn:aws:iam::111122223333:role/Unused", Name: "Unused", Kind: "role", Window: window,
		Current:   []*policy.Policy{rsPolicy(t, `inline policy "audit"`, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:LookupEvents","Resource":"*"}]}`)},
		Resources: rightsize.ResourcesKeep,
		Removed:   []rightsize.Action{{Action: "cloudtrail:LookupEvents", Reason: rightsize.RemovedUnused}},
		Granted:   1, UnusedShare: 1,
		Verification: rightsize.Verification{NoNewAccess: true},
		Notes:        []string{"nothing is kept: every identity policy can be detached"},
	}
	return map[string]*rightsize.Suggestion{"narrowed": narrowed, "incomplete": incomplete, "empty": empty}
}

func TestRightsizeGolden(t *testing.T) {
	fx := rsFixtures(t)
	for _, name := range []string{"narrowed", "incomplete", "empty"} {
		s := fx[name]
		t.Run(name, func(t *testing.T) {
			var text bytes.Buffer
			run := &report.RightsizeRun{Window: s.Window, Suggestions: []*rightsize.Suggestion{s}}
			if err := report.WriteRightsizeText(&text, run, report.RightsizeTextOptions{}); err != nil {
				t.Fatal(err)
			}
			rsGolden(t, name+".txt", text.Bytes())
			if strings.Contains(text.String(), "\x1b[") {
				t.Error("colour without Color")
			}

			var rep bytes.Buffer
			if err := report.WriteRightsizeReport(&rep, s, "tailor test"); err != nil {
				t.Fatal(err)
			}
			rsGolden(t, name+".report.json", rep.Bytes())
			var back map[string]any
			if err := json.Unmarshal(rep.Bytes(), &back); err != nil {
				t.Fatalf("report is not JSON: %v", err)
			}
			for _, k := range []string{"schema", "principal", "window", "kept", "keptUnobservable", "removed", "triedButDenied",
				"granted", "used", "unusedShare", "verification", "policies", "diff", "currentPolicies"} {
				if _, ok := back[k]; !ok {
					t.Errorf("report lacks %q", k)
				}
			}

			pj, err := report.RightsizePolicyJSON(s)
			if err != nil {
				t.Fatal(err)
			}
			rsGolden(t, name+".policy.json", pj)
			checkPolicyFile(t, s, pj)
		})
	}
}

// checkPolicyFile parses a policy file back: one document, or a list of
// them, equal to the suggestion's.
func checkPolicyFile(t *testing.T, s *rightsize.Suggestion, data []byte) {
	t.Helper()
	if len(s.Policies) == 1 {
		p, err := policy.Parse(data)
		if err != nil {
			t.Fatalf("policy file: %v", err)
		}
		a, _ := policydiff.Render(p)
		b, _ := policydiff.Render(s.Policies[0])
		if !bytes.Equal(a, b) {
			t.Errorf("policy file holds another document:\n%s", data)
		}
		return
	}
	var docs []json.RawMessage
	if err := json.Unmarshal(data, &docs); err != nil {
		t.Fatalf("policy file: %v", err)
	}
	if len(docs) != len(s.Policies) {
		t.Fatalf("%d documents in the file, want %d", len(docs), len(s.Policies))
	}
	for i, d := range docs {
		p, err := policy.Parse(d)
		if err != nil || !p.Equal(s.Policies[i]) {
			t.Errorf("document %d: %v", i, err)
		}
	}
}

func TestRightsizeTextColor(t *testing.T) {
	fx := rsFixtures(t)
	var b bytes.Buffer
	run := &report.RightsizeRun{Suggestions: []*rightsize.Suggestion{fx["narrowed"]},
		Failures: []report.RightsizeFailure{{Principal: "arn:aws:iam::111122223333:role/Other", Error: "policy set incomplete"}}}
	if err := report.WriteRightsizeText(&b, run, report.RightsizeTextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	rsGolden(t, "color.txt", b.Bytes())
	for _, want := range []string{"\x1b[31m-        \"kms:Decrypt\",\x1b[0m", "\x1b[36m@@ ", "\x1b[1mrole VendorRole\x1b[0m", "1 principals without a suggestion"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("coloured text lacks %q", want)
		}
	}
}

// TestRightsizeDiffApplies applies the diff to the rendering of today's
// policies with patch(1), when installed, and checks every changed line
// otherwise.
func TestRightsizeDiffApplies(t *testing.T) {
	for name, s := range rsFixtures(t) {
		t.Run(name, func(t *testing.T) {
			diff, err := report.RightsizeDiff(s)
			if err != nil {
				t.Fatal(err)
			}
			from, _ := policydiff.Render(report.RightsizeCurrent(s))
			to, _ := policydiff.Render(report.RightsizeSuggested(s))
			for _, l := range strings.Split(string(diff), "\n") {
				switch {
				case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"):
				case strings.HasPrefix(l, "-") && !bytes.Contains(from, []byte(l[1:]+"\n")):
					t.Errorf("removed line %q is not in today's rendering", l)
				case strings.HasPrefix(l, "+") && !bytes.Contains(to, []byte(l[1:]+"\n")):
					t.Errorf("added line %q is not in the suggestion's rendering", l)
				}
			}
			bin, err := exec.LookPath("patch")
			if err != nil {
				t.Log("patch(1) not found: only the lines were checked")
				return
			}
			dir := t.TempDir()
			src := filepath.Join(dir, "current.json")
			os.WriteFile(src, from, 0o644)
			cmd := exec.Command(bin, "--batch", "--silent", "-o", filepath.Join(dir, "out.json"), src)
			cmd.Stdin = bytes.NewReader(diff)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("patch: %v\n%s", err, out)
			}
			got, _ := os.ReadFile(filepath.Join(dir, "out.json"))
			if !bytes.Equal(got, to) {
				t.Errorf("patched rendering:\n%s\nwant:\n%s", got, to)
			}
		})
	}
}

func TestRightsizeFileName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"DatadogIntegrationRole", "DatadogIntegrationRole"},
		{"svc+deploy=x,y.z@acme_1-2", "svc+deploy=x,y.z@acme_1-2"},
		{"../../etc/passwd", "_.._.._etc_passwd"},
		{".hidden", "_.hidden"},
		{"", "_"},
		{"a/b c:d", "a_b_c_d"},
	}
	for _, tt := range tests {
		if got := report.RightsizeFileName(tt.in); got != tt.want {
			t.Errorf("RightsizeFileName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRightsizeJSONRun(t *testing.T) {
	fx := rsFixtures(t)
	run := &report.RightsizeRun{Tool: "tailor test", Catalog: "embedded", Window: fx["narrowed"].Window,
		Suggestions: []*rightsize.Suggestion{fx["narrowed"], fx["empty"]},
		Failures:    []report.RightsizeFailure{{Principal: "arn:aws:iam::111122223333:role/Other", Error: "x"}}}
	var b bytes.Buffer
	if err := report.WriteRightsizeJSON(&b, run); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema     string
		Principals []struct {
			Principal string
			Policies  []json.RawMessage
			Diff      string
		}
		Failures []report.RightsizeFailure
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != report.RightsizeSchema || len(doc.Principals) != 2 || len(doc.Failures) != 1 {
		t.Fatalf("document %+v", doc)
	}
	if len(doc.Principals[1].Policies) != 0 || !strings.Contains(doc.Principals[0].Diff, "-        \"kms:Decrypt\",") {
		t.Errorf("principals %+v", doc.Principals)
	}
}
