package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// The known-accounts list of the review package's tests names the demo's
// vendors.
var rvVendors = filepath.Join("..", "..", "review", "testdata", "vendors", "demo.yaml")

const rvDemoIAM = "../../testdata/demo/iam.json"

// rvRun runs tailor with an empty user cache.
func rvRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	io, _, out, errOut := testIO()
	code = run(context.Background(), io, args)
	return code, out.String(), errOut.String()
}

// rvDemo ingests the demo logs and returns the usage index and the
// activity log.
func rvDemo(t *testing.T) (index, events string) {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	index, events = filepath.Join(dir, "demo.parquet"), filepath.Join(dir, "demo-events.parquet")
	if code, _, stderr := rvRun(t, "ingest", "../../testdata/demo/AWSLogs", "-o", index, "--events", events); code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, stderr)
	}
	return index, events
}

func TestReviewFlags(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		code  int
		err   string
		check func(*reviewOptions) bool
	}{
		{"no iam", []string{"review"}, exitUsage, "--iam", nil},
		{"bad format", []string{"review", "--iam", "x.json", "--format", "yaml"}, exitUsage, "--format", nil},
		{"bad severity", []string{"review", "--iam", "x.json", "--fail-on", "severe"}, exitUsage, "--fail-on", nil},
		{"negative days", []string{"review", "--iam", "x.json", "--inactive-days", "-1"}, exitUsage, "negative", nil},
		{"all flags", []string{"review", "--iam", "a.json", "--usage", "u.parquet", "--events", "e.parquet", "--credential-report", "c.csv",
			"--own-accounts", "111122223333,444455556666", "--own-networks", "10.0.0.0/8", "--vendors", "v.yaml", "--inactive-days", "30",
			"--key-age-days", "365", "--now", "2026-10-15", "--format", "sarif", "--fail-on", "HIGH"}, exitOK, "",
			func(o *reviewOptions) bool {
				return o.IAM == "a.json" && o.Usage == "u.parquet" && o.Events == "e.parquet" && o.CredentialReport == "c.csv" &&
					len(o.OwnAccounts) == 2 && o.OwnNetworks[0] == "10.0.0.0/8" && o.Vendors == "v.yaml" && o.InactiveDays == 30 &&
					o.KeyAgeDays == 365 && o.Now == "2026-10-15" && o.Format == "sarif" && o.FailOn == "HIGH"
			}},
		{"defaults", []string{"review", "--iam", "a.json"}, exitOK, "",
			func(o *reviewOptions) bool {
				return o.Format == "table" && o.InactiveDays == 90 && o.KeyAgeDays == 90 && o.FailOn == ""
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err, errOut := parseOnly("review", newReviewCmd, tt.args)
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

func TestReviewBadValues(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--own-accounts", "12345"}, exitUsage, "not a 12-digit account id"},
		{[]string{"--own-networks", "10.0.0.0/33"}, exitUsage, "not a CIDR"},
		{[]string{"--now", "yesterday"}, exitUsage, "--now"},
		{[]string{"--usage", "missing.parquet"}, exitError, "missing.parquet"},
		{[]string{"--vendors", "missing.yaml"}, exitError, "missing.yaml"},
	} {
		code, _, stderr := rvRun(t, append([]string{"review", "--iam", rvDemoIAM}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tc.args, code, stderr, tc.code, tc.msg)
		}
	}
}

// TestReviewDemo runs the review of the demo end to end: what
// testdata/demo/README.md says a reviewer should find, in each format,
// and --fail-on.
func TestReviewDemo(t *testing.T) {
	index, events := rvDemo(t)
	base := []string{"review", "--iam", rvDemoIAM, "--usage", index, "--events", events,
		"--credential-report", "../../testdata/demo/credential-report.csv", "--vendors", rvVendors}

	t.Run("json and fail-on high", func(t *testing.T) {
		code, out, stderr := rvRun(t, append(base, "--format", "json", "--fail-on", "high")...)
		// One critical (the burst) and two high (CloudZero's missing
		// ExternalId, Datadog's sensitive grants).
		if code != exitFindings || !strings.Contains(stderr, "3 findings at or above high") {
			t.Fatalf("exit %d, stderr %q; want 5 and the count", code, stderr)
		}
		var doc struct {
			Schema     string `json:"schema"`
			Principals []struct {
				ARN      string `json:"arn"`
				Findings []struct {
					ID, Rule, Severity string
				} `json:"findings"`
			} `json:"principals"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		rules := map[string]bool{}
		for _, p := range doc.Principals {
			for _, f := range p.Findings {
				rules[strings.TrimPrefix(p.ARN, "arn:aws:iam::")+" "+f.Rule] = true
			}
		}
		for _, want := range []string{
			"364851209736:role/CloudZeroCostRole TRUST-NO-EXTERNAL-ID",
			"364851209736:role/CloudZeroCostRole TRUST-CHANGE-SEEN",
			"364851209736:role/DatadogIntegrationRole SENSITIVE-ON-ALL-RESOURCES",
			"364851209736:role/LaceworkSecurityAuditRole ROLE-NEVER-USED",
			"165736516723:root ACCOUNT-NOT-TRUSTED",
			"364851209736:user/legacy-reporting DENIED-BURST",
			"364851209736:user/legacy-reporting KEY-OLD",
			"364851209736:user/legacy-reporting KEY-INACTIVE-PRESENT",
			"364851209736:user/backup-sync KEY-OLD",
			"364851209736:root ROOT-USED",
		} {
			if !rules[want] {
				t.Errorf("no finding %s", want)
			}
		}
		if strings.Contains(out, "1d30edd96aedb4aba7a577897c1e930c") || strings.Contains(out, "lw-yJKmoUm3iI3sFCfwHYYIAF") {
			t.Error("the output shows an ExternalId")
		}
	})
	t.Run("fail-on critical", func(t *testing.T) {
		if code, _, stderr := rvRun(t, append(base, "--fail-on", "critical")...); code != exitFindings || !strings.Contains(stderr, "1 finding at or above critical") {
			t.Errorf("exit %d, %q", code, stderr)
		}
	})
	t.Run("table", func(t *testing.T) {
		code, out, stderr := rvRun(t, base...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, want := range []string{"Third-party access review of account 364851209736", "DENIED-BURST-2819131c", "== role/CloudZeroCostRole (third party)",
			"<EXTERNAL-ID-FROM-VENDOR>", "aws iam update-assume-role-policy --role-name CloudZeroCostRole"} {
			if !strings.Contains(out, want) {
				t.Errorf("table lacks %q", want)
			}
		}
	})
	t.Run("sarif", func(t *testing.T) {
		code, out, stderr := rvRun(t, append(base, "--format", "sarif")...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var log struct {
			Version string `json:"version"`
			Runs    []struct {
				Results []struct {
					RuleID    string `json:"ruleId"`
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
							Region           struct{ StartLine int } `json:"region"`
						} `json:"physicalLocation"`
					} `json:"locations"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(out), &log); err != nil {
			t.Fatal(err)
		}
		if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) < 20 {
			t.Fatalf("log %+v", log)
		}
		for _, r := range log.Runs[0].Results {
			if l := r.Locations[0].PhysicalLocation; l.ArtifactLocation.URI != rvDemoIAM || l.Region.StartLine < 1 {
				t.Errorf("%s location %+v", r.RuleID, l)
			}
		}
	})
	t.Run("no vendor list", func(t *testing.T) {
		code, out, _ := rvRun(t, "review", "--iam", rvDemoIAM, "--format", "json")
		if code != exitOK || !strings.Contains(out, "No known-accounts list was given") {
			t.Errorf("exit %d; the notes should say vendors are not named:\n%s", code, out)
		}
	})
}
