package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/tailor-sec/tailor/policy"
)

const demoIAM = "../../testdata/demo/iam.json"

// demoUsage ingests the bundled demo logs into an index in a temporary
// directory and returns its path.
func demoUsage(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo.parquet")
	io, _, _, errOut := testIO()
	if code := run(context.Background(), io, []string{"ingest", "../../testdata/demo/AWSLogs", "-o", path}); code != exitOK {
		t.Fatalf("ingest demo: exit %d: %s", code, errOut)
	}
	return path
}

func rsRun(t *testing.T, tty bool, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // the embedded catalog
	io, _, out, errOut := testIO()
	io.stdoutTTY = tty
	code := run(context.Background(), io, append([]string{"rightsize"}, args...))
	return code, out.String(), errOut.String()
}

func TestRightsizeFlags(t *testing.T) {
	base := []string{"--usage", "u.parquet", "--iam", "iam.json"}
	tests := []struct {
		name string
		args []string
		ok   bool
		want string // in the error
	}{
		{"principal", append(base, "--principal", "a", "--principal", "b"), true, ""},
		{"third party with own accounts", append(base, "--third-party", "--own-accounts", "111122223333,444455556666"), true, ""},
		{"all, json, observed", append(base, "--all", "--format", "json", "--resources", "observed", "--drop-conditional"), true, ""},
		{"no selector", base, false, "exactly one of"},
		{"two selectors", append(base, "--all", "--third-party"), false, "exactly one of"},
		{"no usage", []string{"--iam", "iam.json", "--all"}, false, "needs --usage"},
		{"bad format", append(base, "--all", "--format", "sarif"), false, "--format"},
		{"bad resources", append(base, "--all", "--resources", "narrow"), false, "--resources"},
		{"bad own account", append(base, "--third-party", "--own-accounts", "12"), false, "12-digit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			io, _, _, _ := testIO()
			var got *rightsizeOptions
			cmd := newRightsizeCmd(io, func(o *rightsizeOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(io.Out)
			cmd.SetErr(io.ErrOut)
			cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &flagError{err} })
			err := cmd.Execute()
			if tt.ok {
				if err != nil || got == nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || exitCode(err) != exitUsage {
				t.Errorf("err = %v (exit %d), want a usage error about %q", err, exitCode(err), tt.want)
			}
		})
	}
}

func TestRightsizeDemoText(t *testing.T) {
	idx := demoUsage(t)
	code, out, errOut := rsRun(t, false, "--usage", idx, "--iam", demoIAM, "--principal", "DatadogIntegrationRole")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// The story: Datadog never uses what it holds on "*".
	for _, want := range []string{
		"role DatadogIntegrationRole  arn:aws:iam::364851209736:role/DatadogIntegrationRole\n",
		"--- a/DatadogIntegrationRole.json\n+++ b/DatadogIntegrationRole.json\n",
		"-        \"kms:Decrypt\",\n", "-        \"s3:GetObject\",\n", "-        \"secretsmanager:GetSecretValue\"\n",
		"  window      2026-10-01 to 2026-10-14 (14 days, all with logs)\n",
		"  denied      organizations:DescribeOrganization: 14 calls",
		"  verified    no new access (proved);",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, "+        \"kms:Decrypt\"") || strings.Contains(out, "\x1b[") {
		t.Errorf("kms:Decrypt added, or colour off a terminal:\n%s", out)
	}
	code, tty, _ := rsRun(t, true, "--usage", idx, "--iam", demoIAM, "--principal", "DatadogIntegrationRole")
	if code != exitOK || !strings.Contains(tty, "\x1b[31m-        \"kms:Decrypt\",\x1b[0m") {
		t.Errorf("exit %d; no red removal on a terminal", code)
	}
}

type rsJSON struct {
	Schema     string
	Principals []struct {
		Principal, Name, Boundary string
		Granted, Used             int
		Kept                      []struct{ Action string }
		Removed                   []struct{ Action, Reason string }
		Unobservable              []struct{ Action, Reason string } `json:"keptUnobservable"`
		Policies                  []json.RawMessage
		Verification              struct{ NoNewAccess bool }
		Window                    struct{ Days, DaysWithLogs int }
	}
	Failures []struct{ Principal, Error string }
}

func TestRightsizeDemoJSON(t *testing.T) {
	idx := demoUsage(t)
	code, out, errOut := rsRun(t, false, "--usage", idx, "--iam", demoIAM, "--all", "--format", "json", "--resources", "observed")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc rsJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	// Six roles and two users; the deleted Cloudability role is not in
	// the snapshot.
	if len(doc.Principals) != 8 || len(doc.Failures) != 0 {
		t.Fatalf("%d principals, failures %v", len(doc.Principals), doc.Failures)
	}
	byName := map[string]int{}
	for i, p := range doc.Principals {
		byName[p.Name] = i
		if !p.Verification.NoNewAccess || p.Granted < p.Used {
			t.Errorf("%s: verification %+v, granted %d, used %d", p.Name, p.Verification, p.Granted, p.Used)
		}
		for _, d := range p.Policies {
			if _, err := policy.Parse(d); err != nil {
				t.Errorf("%s: suggested document does not parse: %v", p.Name, err)
			}
		}
	}
	ci := doc.Principals[byName["github-actions-deploy"]]
	if !strings.Contains(ci.Boundary, "CIDeployBoundary") {
		t.Errorf("CI role boundary %q, want CIDeployBoundary kept", ci.Boundary)
	}
	lambda := doc.Principals[byName["orders-api-lambda-role"]]
	// The demo logs hold no SQS or SNS data events: the function's
	// SendMessage and Publish grants are kept, marked.
	for _, a := range []string{"sqs:SendMessage", "sns:Publish"} {
		found := false
		for _, u := range lambda.Unobservable {
			if u.Action == a && u.Reason == "no-data-events" {
				found = true
			}
		}
		if !found {
			t.Errorf("orders-api-lambda-role: %s not kept for lack of data events: %+v", a, lambda.Unobservable)
		}
	}
	lacework := doc.Principals[byName["LaceworkSecurityAuditRole"]]
	if lacework.Used != 0 || len(lacework.Kept) != 0 {
		t.Errorf("Lacework never used its role: used %d", lacework.Used)
	}
}

func TestRightsizeThirdParty(t *testing.T) {
	idx := demoUsage(t)
	names := func(out string) []string {
		var doc rsJSON
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, p := range doc.Principals {
			n = append(n, p.Name)
		}
		return n
	}
	_, out, errOut := rsRun(t, false, "--usage", idx, "--iam", demoIAM, "--third-party", "--format", "json")
	if got, want := names(out), []string{"CloudZeroCostRole", "DatadogIntegrationRole", "LaceworkSecurityAuditRole"}; !slices.Equal(got, want) {
		t.Errorf("third parties %v, want %v (%s)", got, want, errOut)
	}
	_, out, _ = rsRun(t, false, "--usage", idx, "--iam", demoIAM, "--third-party", "--format", "json", "--own-accounts", "464622532012")
	if got := names(out); slices.Contains(got, "DatadogIntegrationRole") {
		t.Errorf("Datadog's account is declared own, yet its role is selected: %v", got)
	}
}

func TestRightsizeOutputDir(t *testing.T) {
	idx := demoUsage(t)
	dir := filepath.Join(t.TempDir(), "out")
	code, out, errOut := rsRun(t, false, "--usage", idx, "--iam", demoIAM, "--principal", "DatadogIntegrationRole", "--principal", "backup-sync", "-o", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Count(out, "\n") != 2 || !strings.Contains(out, "DatadogIntegrationRole.*") {
		t.Errorf("stdout:\n%s", out)
	}
	for _, name := range []string{"DatadogIntegrationRole", "backup-sync"} {
		pol, err := os.ReadFile(filepath.Join(dir, name+".policy.json"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := policy.Parse(pol); err != nil {
			t.Errorf("%s.policy.json: %v", name, err)
		}
		diff, err := os.ReadFile(filepath.Join(dir, name+".diff"))
		if err != nil || !bytes.HasPrefix(diff, []byte("--- a/"+name+".json\n+++ b/"+name+".json\n")) {
			t.Errorf("%s.diff: %v\n%s", name, err, diff)
		}
		rep, err := os.ReadFile(filepath.Join(dir, name+".report.json"))
		if err != nil {
			t.Fatal(err)
		}
		var r struct{ Schema, Principal string }
		if err := json.Unmarshal(rep, &r); err != nil || r.Schema != "tailor.rightsize/v1" || !strings.HasSuffix(r.Principal, "/"+name) {
			t.Errorf("%s.report.json: %v %+v", name, err, r)
		}
	}
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	var want []string
	for _, name := range []string{"DatadogIntegrationRole", "backup-sync"} {
		for _, ext := range []string{".cfn.yaml", ".diff", ".policy.json", ".report.json", ".tf"} {
			want = append(want, name+ext)
		}
	}
	if !slices.Equal(names, want) {
		t.Errorf("files in the output directory:\n%v\nwant (no temporary files left):\n%v", names, want)
	}
}

// TestRightsizeShortWindow asks for a window longer than the logs: days
// without logs keep everything.
func TestRightsizeShortWindow(t *testing.T) {
	idx := demoUsage(t)
	code, out, errOut := rsRun(t, false, "--usage", idx, "--iam", demoIAM, "--principal", "DatadogIntegrationRole",
		"--since", "2026-09-01", "--until", "2026-10-15", "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc rsJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	p := doc.Principals[0]
	if p.Window.Days != 44 || p.Window.DaysWithLogs != 14 {
		t.Errorf("window %+v, want 44 days with 14 of logs", p.Window)
	}
	if len(p.Removed) != 0 {
		t.Errorf("removed %d actions from a window with 30 days without logs", len(p.Removed))
	}
	for _, u := range p.Unobservable {
		if u.Action == "kms:Decrypt" && u.Reason != "window-incomplete" {
			t.Errorf("kms:Decrypt kept for %q", u.Reason)
		}
	}
}

func TestRightsizeErrors(t *testing.T) {
	idx := demoUsage(t)
	code, _, errOut := rsRun(t, false, "--usage", idx, "--iam", demoIAM, "--principal", "NoSuchRole")
	if code != exitError || !strings.Contains(errOut, "NoSuchRole") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = rsRun(t, false, "--usage", filepath.Join(t.TempDir(), "missing.parquet"), "--iam", demoIAM, "--all")
	if code != exitError || !strings.Contains(errOut, "missing.parquet") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
