package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/account/accounttest"
)

// iamTestEnv points the AWS SDK at static, made-up credentials and away
// from any real configuration on the machine.
func iamTestEnv(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "no-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "no-credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_IAM", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

func TestIAMSnapshotFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    iamSnapshotOptions
		wantErr string
	}{
		{name: "output", args: []string{"-o", "authz.json"}, want: iamSnapshotOptions{Output: "authz.json", LastAccessedJobs: 4}},
		{name: "all", args: []string{"--output", "a.json", "--profile", "audit", "--region", "eu-west-1", "--endpoint-url", "http://localhost:1", "--credential-report", "c.csv", "--last-accessed-jobs", "8"},
			want: iamSnapshotOptions{Output: "a.json", Profile: "audit", Region: "eu-west-1", EndpointURL: "http://localhost:1", CredentialReport: "c.csv", LastAccessedJobs: 8}},
		{name: "no last accessed", args: []string{"-o", "a.json", "--no-last-accessed"}, want: iamSnapshotOptions{Output: "a.json", NoLastAccessed: true, LastAccessedJobs: 4}},
		{name: "too many jobs", args: []string{"-o", "a.json", "--last-accessed-jobs", "21"}, wantErr: "--last-accessed-jobs must be 1 to 20, not 21"},
		{name: "no jobs", args: []string{"-o", "a.json", "--last-accessed-jobs", "0"}, wantErr: "--last-accessed-jobs must be 1 to 20, not 0"},
		{name: "no output", args: []string{"--profile", "audit"}, wantErr: "-o/--output is required"},
		{name: "same file", args: []string{"-o", "x", "--credential-report", "x"}, wantErr: "same file"},
		{name: "argument", args: []string{"-o", "x", "extra"}, wantErr: "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := testIO()
			var got *iamSnapshotOptions
			cmd := newIAMSnapshotCmd(ios, func(o *iamSnapshotOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(new(bytes.Buffer))
			cmd.SetErr(new(bytes.Buffer))
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.io = nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestIAMSnapshotUsageExit(t *testing.T) {
	ios, _, _, errOut := testIO()
	if code := run(context.Background(), ios, []string{"iam", "snapshot"}); code != exitUsage {
		t.Errorf("exit %d, want %d; stderr %s", code, exitUsage, errOut)
	}
}

func TestIAMSnapshotHelp(t *testing.T) {
	ios, _, out, _ := testIO()
	if code := run(context.Background(), ios, []string{"iam", "snapshot", "--help"}); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, a := range append(append(account.SnapshotActions(), account.ReportActions()...), account.LastAccessedActions()...) {
		if !strings.Contains(out.String(), "  "+a) {
			t.Errorf("--help does not list %s", a)
		}
	}
	for _, s := range []string{"read-only", "--profile", "--endpoint-url", "--credential-report", "--no-last-accessed", "--last-accessed-jobs", "ServiceLastAccessedDetails", "Exit codes:"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("--help lacks %q", s)
		}
	}
}

// TestIAMSnapshotRun runs the command against the fake IAM endpoint and
// loads what it wrote.
func TestIAMSnapshotRun(t *testing.T) {
	iamTestEnv(t)
	srv := accounttest.NewServer(t, accounttest.Config{RequestFault: func(r accounttest.Request, n int) *accounttest.Fault {
		if r.Action == "GenerateServiceLastAccessedDetails" && strings.HasSuffix(r.Form.Get("Arn"), "/AWSServiceRoleForSupport") {
			return accounttest.AccessDenied("iam:GenerateServiceLastAccessedDetails")
		}
		return nil
	}})
	dir := t.TempDir()
	ios, _, out, errOut := testIO()
	opts := &iamSnapshotOptions{
		io:               ios,
		Output:           filepath.Join(dir, "authz.json"),
		CredentialReport: filepath.Join(dir, "creds.csv"),
		EndpointURL:      srv.URL,
		LastAccessedJobs: 2,
		reportPoll:       time.Millisecond,
		jobPoll:          time.Millisecond,
	}
	if err := runIAMSnapshot(context.Background(), opts); err != nil {
		t.Fatalf("runIAMSnapshot: %v\nstderr: %s", err, errOut)
	}
	got, err := account.LoadFile(opts.Output)
	if err != nil {
		t.Fatal(err)
	}
	want, err := account.Read(bytes.NewReader(accounttest.ExpectedDetails()), "expected")
	if err != nil {
		t.Fatal(err)
	}
	details := *got.Details()
	reports := details.ServiceLastAccessedDetails
	details.ServiceLastAccessedDetails = nil
	if !reflect.DeepEqual(&details, want.Details()) {
		t.Error("the written snapshot differs from the account the server served")
	}
	var arns []string
	for _, r := range reports {
		arns = append(arns, r.ARN+" "+r.JobStatus)
	}
	if want := []string{
		"arn:aws:iam::111122223333:role/app/web-server COMPLETED",
		"arn:aws:iam::111122223333:role/vendor-audit FAILED",
		"arn:aws:iam::111122223333:user/alice COMPLETED",
		"arn:aws:iam::111122223333:user/automation/ci-bot COMPLETED",
	}; !reflect.DeepEqual(arns, want) {
		t.Errorf("last accessed reports %q, want %q", arns, want)
	}
	if last, tracked := got.LastAccessed("alice").ActionAccessed("iam:GetRole"); !tracked || last.IsZero() {
		t.Errorf("alice's iam:GetRole = %v, %v", last, tracked)
	}
	csv, err := os.ReadFile(opts.CredentialReport)
	if err != nil || !bytes.Equal(csv, accounttest.CredentialReportCSV()) {
		t.Errorf("credential report file = %q, %v", csv, err)
	}
	if out.Len() != 0 {
		t.Errorf("stdout: %s", out)
	}
	for _, s := range []string{
		"account 111122223333, 2 users, 1 groups, 3 roles, 6 managed policies, last accessed reports of 3 of 5 users and roles\n",
		"warning: no last accessed report of arn:aws:iam::111122223333:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport: generate service last accessed details: account: access denied: the credentials lack the read-only permission iam:GenerateServiceLastAccessedDetails",
		"warning: IAM's last accessed job for arn:aws:iam::111122223333:role/vendor-audit failed (InternalFailure: The report could not be generated. Try again later.)",
		"creds.csv: credential report generated 2024-03-12T09:00:00Z, 3 rows",
	} {
		if !strings.Contains(errOut.String(), s) {
			t.Errorf("stderr lacks %q:\n%s", s, errOut)
		}
	}
	for _, r := range srv.Requests() {
		if r.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" {
			t.Errorf("%s signed with %q, want the environment's key", r.Action, r.AccessKeyID)
		}
		if !strings.Contains(r.UserAgent, " app/tailor-") {
			t.Errorf("%s: User-Agent %q does not name tailor", r.Action, r.UserAgent)
		}
	}
}

func TestIAMSnapshotProfile(t *testing.T) {
	iamTestEnv(t)
	os.Unsetenv("AWS_ACCESS_KEY_ID")
	os.Unsetenv("AWS_SECRET_ACCESS_KEY")
	dir := t.TempDir()
	conf := filepath.Join(dir, "config")
	if err := os.WriteFile(conf, []byte("[profile snapshot-test]\naws_access_key_id = AKIAPROFILEEXAMPLE01\naws_secret_access_key = profile-secret-example\nregion = eu-central-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", conf)
	srv := accounttest.NewServer(t, accounttest.Config{JobPolls: -1})
	ios, _, _, errOut := testIO()
	out := filepath.Join(dir, "authz.json")
	code := run(context.Background(), ios, []string{"iam", "snapshot", "-o", out, "--profile", "snapshot-test", "--endpoint-url", srv.URL})
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	reqs := srv.Requests()
	if len(reqs) == 0 || reqs[0].AccessKeyID != "AKIAPROFILEEXAMPLE01" {
		t.Errorf("requests %+v not signed with the profile's key", reqs)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("output %v, %v; want mode 0600", st, err)
	}
	if strings.Contains(errOut.String(), "profile-secret-example") {
		t.Error("secret key printed")
	}
}

func TestIAMSnapshotAccessDenied(t *testing.T) {
	iamTestEnv(t)
	srv := accounttest.NewServer(t, accounttest.Config{Fault: func(action string, n int) *accounttest.Fault {
		if action == "GetAccountAuthorizationDetails" {
			return accounttest.AccessDenied("iam:GetAccountAuthorizationDetails")
		}
		return nil
	}})
	dir := t.TempDir()
	out := filepath.Join(dir, "authz.json")
	ios, _, _, errOut := testIO()
	code := run(context.Background(), ios, []string{"iam", "snapshot", "-o", out, "--endpoint-url", srv.URL})
	if code != exitError {
		t.Errorf("exit %d, want %d", code, exitError)
	}
	if !strings.Contains(errOut.String(), "lack the read-only permission iam:GetAccountAuthorizationDetails") {
		t.Errorf("stderr does not name the missing permission:\n%s", errOut)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output file exists after a failure: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files left behind: %v", entries)
	}
}

func TestIAMSnapshotNoLastAccessed(t *testing.T) {
	iamTestEnv(t)
	srv := accounttest.NewServer(t, accounttest.Config{})
	out := filepath.Join(t.TempDir(), "authz.json")
	ios, _, _, errOut := testIO()
	if code := run(context.Background(), ios, []string{"iam", "snapshot", "-o", out, "--endpoint-url", srv.URL, "--no-last-accessed"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := srv.Calls("GenerateServiceLastAccessedDetails"); n != 0 {
		t.Errorf("%d last accessed jobs with --no-last-accessed", n)
	}
	b, err := os.ReadFile(out)
	if err != nil || bytes.Contains(b, []byte("ServiceLastAccessedDetails")) || strings.Contains(errOut.String(), "last accessed") {
		t.Errorf("file or stderr mention last accessed (%v):\n%s", err, errOut)
	}
}

func TestIAMAddLastAccessedFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    iamAddLastAccessedOptions
		wantErr string
	}{
		{name: "all", args: []string{"--iam", "a.json", "-o", "b.json", "dir", "x.json"}, want: iamAddLastAccessedOptions{IAM: "a.json", Output: "b.json", Paths: []string{"dir", "x.json"}}},
		{name: "no paths", args: []string{"--iam", "a.json", "-o", "b.json"}, wantErr: "requires at least 1 arg"},
		{name: "no iam", args: []string{"-o", "b.json", "dir"}, wantErr: "--iam and -o/--output are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := testIO()
			var got *iamAddLastAccessedOptions
			cmd := newIAMAddLastAccessedCmd(ios, func(o *iamAddLastAccessedOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(new(bytes.Buffer))
			cmd.SetErr(new(bytes.Buffer))
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.io = nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options %+v, want %+v", *got, tt.want)
			}
		})
	}
}

// TestIAMAddLastAccessed adds the AWS CLI's reports to the CLI's
// authorization details, in place.
func TestIAMAddLastAccessed(t *testing.T) {
	dir := t.TempDir()
	authz := filepath.Join(dir, "authz.json")
	if err := os.WriteFile(authz, accounttest.ExpectedDetails(), 0o600); err != nil {
		t.Fatal(err)
	}
	la := filepath.Join("..", "..", "account", "testdata", "last-accessed")
	ios, _, _, errOut := testIO()
	if code := run(context.Background(), ios, []string{"iam", "add-last-accessed", "--iam", authz, "-o", authz, filepath.Join(la, "dir")}); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	snap, err := account.LoadFile(authz)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(snap.Details().ServiceLastAccessedDetails); n != 3 || snap.LastAccessed("web-server") == nil {
		t.Errorf("%d reports in the snapshot, web-server's %v", n, snap.LastAccessed("web-server"))
	}
	if !strings.Contains(errOut.String(), "3 last accessed reports added; 3 users and roles of 5 have one") {
		t.Errorf("stderr: %s", errOut)
	}

	ios, _, _, errOut = testIO()
	bad := filepath.Join(la, "bad", "alice.json")
	if code := run(context.Background(), ios, []string{"iam", "add-last-accessed", "--iam", authz, "-o", filepath.Join(dir, "out.json"), bad}); code != exitError {
		t.Errorf("exit %d for another principal's report, want %d", code, exitError)
	}
	if !strings.Contains(errOut.String(), bad) || !strings.Contains(errOut.String(), "another principal's report") {
		t.Errorf("stderr does not name the file and the problem: %s", errOut)
	}
}
