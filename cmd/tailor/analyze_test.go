package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/usage"
)

func TestAnalyzeFlags(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		code  int
		err   string
		check func(*analyzeOptions) bool
	}{
		{"no source", []string{"analyze", "--iam", "a.json", "-o", "out"}, exitUsage, "SOURCE", nil},
		{"no output", []string{"analyze", "logs", "--iam", "a.json"}, exitUsage, "-o DIR", nil},
		{"no iam", []string{"analyze", "logs", "-o", "out"}, exitUsage, "--iam", nil},
		{"iam and live", []string{"analyze", "logs", "--iam", "a.json", "--live", "-o", "out"}, exitUsage, "exactly one", nil},
		{"bad severity", []string{"analyze", "logs", "--iam", "a.json", "-o", "out", "--fail-on", "severe"}, exitUsage, "--fail-on", nil},
		{"bad workers", []string{"analyze", "logs", "--iam", "a.json", "-o", "out", "--workers", "0"}, exitUsage, "--workers", nil},
		{"all flags", []string{"analyze", "a", "s3://b/p", "--live", "-o", "out", "--credential-report", "c.csv", "--vendors", "v.yaml",
			"--own-accounts", "111122223333", "--own-networks", "10.0.0.0/8", "--since", "90d", "--until", "2026-10-15", "--fail-on", "high",
			"--profile", "audit", "--aws-region", "eu-west-1", "--progress", "never", "--strict"}, exitOK, "",
			func(o *analyzeOptions) bool {
				return len(o.Sources) == 2 && o.Live && o.Output == "out" && o.CredentialReport == "c.csv" && o.Vendors == "v.yaml" &&
					o.OwnAccounts[0] == "111122223333" && o.OwnNetworks[0] == "10.0.0.0/8" && o.Since == "90d" && o.Until == "2026-10-15" &&
					o.FailOn == "high" && o.Profile == "audit" && o.AWSRegion == "eu-west-1" && o.Progress == "never" && o.Strict
			}},
		{"defaults", []string{"analyze", "logs", "--iam", "a.json", "-o", "out"}, exitOK, "",
			func(o *analyzeOptions) bool {
				return o.IAM == "a.json" && !o.Live && o.InactiveDays == 90 && o.KeyAgeDays == 90 && o.Progress == "auto" && o.Workers >= 1
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err, errOut := parseOnly("analyze", newAnalyzeCmd, tt.args)
			if code := exitCode(err); code != tt.code {
				t.Fatalf("exit %d (%v), want %d; %s", code, err, tt.code, errOut)
			}
			if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("error %v, want one about %s", err, tt.err)
			}
			if tt.check != nil && (got == nil || !tt.check(got)) {
				t.Errorf("options %+v", got)
			}
		})
	}
}

// TestAnalyzeDemo runs the whole job on the demo, twice into the same
// directory: the second run reads no log again and appends nothing twice.
func TestAnalyzeDemo(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := filepath.Join(t.TempDir(), "demo-report")
	args := []string{"analyze", "../../testdata/demo/AWSLogs", "--iam", rvDemoIAM, "--credential-report", "../../testdata/demo/credential-report.csv",
		"--vendors", rvVendors, "--progress", "never", "-o", dir}

	code, stdout, stderr := rvRun(t, args...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("analyze wrote to stdout: %q", stdout)
	}
	for _, want := range []string{"read 1561 files", "6 third parties: 1 critical, 2 high", "suggested 5 policies", "open it in a browser: file://"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	for _, f := range []string{"report.html", "review.json", "review.sarif", "usage.parquet", "events.parquet",
		"rightsize/DatadogIntegrationRole.policy.json", "rightsize/DatadogIntegrationRole.diff", "rightsize/DatadogIntegrationRole.report.json",
		"rightsize/legacy-reporting.diff", "rightsize/CloudZeroCostRole.diff", "rightsize/LaceworkSecurityAuditRole.diff", "rightsize/backup-sync.diff"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}

	// The remedy of Datadog's PERMISSIONS-UNUSED finding carries the
	// suggested policy: the rightsizer is attached to the review.
	var rep struct {
		Principals []struct {
			Name     string
			Findings []struct {
				Rule   string
				Remedy struct {
					SuggestedPolicy json.RawMessage `json:"suggested_policy"`
				}
			}
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "review.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	policyFile, err := os.ReadFile(filepath.Join(dir, "rightsize", "DatadogIntegrationRole.policy.json"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range rep.Principals {
		for _, f := range p.Findings {
			if p.Name == "DatadogIntegrationRole" && f.Rule == "PERMISSIONS-UNUSED" {
				found = true
				if !jsonEqual(t, f.Remedy.SuggestedPolicy, policyFile) {
					t.Errorf("the remedy's suggested policy differs from the policy file:\n%s", f.Remedy.SuggestedPolicy)
				}
			}
		}
	}
	if !found {
		t.Error("no PERMISSIONS-UNUSED finding for DatadogIntegrationRole")
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), `id="tailor-index"`) || !strings.Contains(string(html), `id="tailor-p6"`) || strings.Contains(string(html), `id="tailor-p7"`) {
		t.Errorf("report.html does not hold the data of the 7 principals")
	}
	events := countEvents(t, filepath.Join(dir, "events.parquet"))

	// Again, into the same directory, failing on high findings.
	code, _, stderr = rvRun(t, append(args, "--fail-on", "high")...)
	if code != exitFindings {
		t.Fatalf("second run: exit %d, want %d: %s", code, exitFindings, stderr)
	}
	for _, want := range []string{"appending to", "read 0 files", "3 findings at or above high"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("second run: stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := countEvents(t, filepath.Join(dir, "events.parquet")); n != events || n != 4410 {
		t.Errorf("the activity log holds %d events after the second run, %d after the first; the demo has 4410", n, events)
	}
}

func countEvents(t *testing.T, path string) int {
	t.Helper()
	n := 0
	if err := usage.ScanActivity(path, func(*usage.Activity) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		return false
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}
