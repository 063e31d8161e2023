package account_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/account/accounttest"
)

// testKeyID is a static, made-up access key id for the fake server.
const testKeyID = "AKIAIOSFODNN7EXAMPLE"

// newClient returns an IAM client for srv with static test credentials, a
// retryer that retries at once, and account.ClientOptions, as tailor's own
// client has.
func newClient(srv *accounttest.Server) *iam.Client {
	return iam.New(iam.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(testKeyID, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		}),
	}, account.ClientOptions)
}

// expected is the snapshot of the account the fake server serves, read
// from its CLI-shaped fixture.
func expected(t *testing.T) *account.Snapshot {
	t.Helper()
	s, err := account.Read(bytes.NewReader(accounttest.ExpectedDetails()), "authz-expected.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFetchAuthorizationDetails(t *testing.T) {
	srv := accounttest.NewServer(t, accounttest.Config{})
	var pages []int
	d, err := account.FetchAuthorizationDetails(context.Background(), newClient(srv), account.FetchOptions{
		OnPage: func(n int, d *account.AuthorizationDetails) { pages = append(pages, n) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pages, []int{1, 2, 3}) {
		t.Errorf("OnPage saw pages %v, want 1 2 3", pages)
	}
	reqs := srv.Requests()
	var markers []string
	for _, r := range reqs {
		if r.AccessKeyID != testKeyID {
			t.Errorf("request signed with %q", r.AccessKeyID)
		}
		if r.Action != "GetAccountAuthorizationDetails" {
			continue
		}
		markers = append(markers, r.Form.Get("Marker"))
		var filters []string
		for i := 1; r.Form.Get("Filter.member."+string(rune('0'+i))) != ""; i++ {
			filters = append(filters, r.Form.Get("Filter.member."+string(rune('0'+i))))
		}
		if want := []string{"User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"}; !reflect.DeepEqual(filters, want) {
			t.Errorf("Filter = %v, want %v", filters, want)
		}
		if r.Form.Get("MaxItems") != "1000" {
			t.Errorf("MaxItems = %q, want 1000", r.Form.Get("MaxItems"))
		}
	}
	if len(markers) != 3 || markers[0] != "" || markers[1] == "" || markers[2] == "" || markers[1] == markers[2] {
		t.Errorf("markers sent: %q", markers)
	}
	if srv.Calls("GetPolicy") != 1 || srv.Calls("GetPolicyVersion") != 1 {
		t.Errorf("GetPolicy/GetPolicyVersion calls = %d/%d, want 1/1 (for ReadOnlyAccess)", srv.Calls("GetPolicy"), srv.Calls("GetPolicyVersion"))
	}

	got, err := account.New(d)
	if err != nil {
		t.Fatal(err)
	}
	want := expected(t)
	if !reflect.DeepEqual(got.Details(), want.Details()) {
		var g, w bytes.Buffer
		account.WriteAuthorizationDetails(&g, got.Details())
		account.WriteAuthorizationDetails(&w, want.Details())
		t.Errorf("fetched details differ from the fixture:\n%s", firstDiff(g.String(), w.String()))
	}
	if got.AccountID() != accounttest.AccountID || len(got.Warnings()) != 0 {
		t.Errorf("account %q, warnings %v", got.AccountID(), got.Warnings())
	}
	// Facts read from the XML by hand: the URL-encoded documents decode.
	alice, err := got.Principal("alice")
	if err != nil {
		t.Fatal(err)
	}
	set := got.PolicySet(alice)
	if len(set.Identity) != 4 || !strings.Contains(string(set.Identity[0].Document), `"s3:prefix":"Zürich 2024/*"`) ||
		!strings.Contains(string(set.Identity[0].Document), `"aws:PrincipalTag/team":"data+ml"`) {
		t.Errorf("alice's policies = %v", set.Identity)
	}
	if set.Boundary == nil || set.Boundary.Missing || set.Boundary.Name != "developer-boundary" {
		t.Errorf("alice's boundary = %+v", set.Boundary)
	}
	bot, _ := got.Principal("ci-bot")
	if bs := got.PolicySet(bot); len(bs.Identity) != 1 || bs.Identity[0].Missing || bs.Identity[0].VersionID != "v120" {
		t.Errorf("ci-bot's ReadOnlyAccess (looked up) = %+v", bs.Identity)
	}
}

// TestSnapshotRoundTrip: loading the file written from the fetched data
// gives the same snapshot as the fetched data.
func TestSnapshotRoundTrip(t *testing.T) {
	srv := accounttest.NewServer(t, accounttest.Config{})
	d, err := account.FetchAuthorizationDetails(context.Background(), newClient(srv), account.FetchOptions{PageSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "authz.json")
	if err := account.SaveAuthorizationDetails(out, d); err != nil {
		t.Fatal(err)
	}
	served, err := account.New(d)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := account.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(served, loaded) {
		t.Error("the snapshot loaded from the written file differs from the one fetched")
	}
	if srv.Requests()[0].Form.Get("MaxItems") != "50" {
		t.Errorf("MaxItems = %q, want 50", srv.Requests()[0].Form.Get("MaxItems"))
	}
}

func TestFetchThrottled(t *testing.T) {
	srv := accounttest.NewServer(t, accounttest.Config{Fault: func(action string, n int) *accounttest.Fault {
		if action == "GetAccountAuthorizationDetails" && (n == 1 || n == 3) {
			return accounttest.Throttling()
		}
		return nil
	}})
	d, err := account.FetchAuthorizationDetails(context.Background(), newClient(srv), account.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls("GetAccountAuthorizationDetails"); n != 5 {
		t.Errorf("%d calls, want 5 (3 pages, 2 throttled)", n)
	}
	if len(d.RoleDetailList) != 3 || len(d.UserDetailList) != 2 {
		t.Errorf("roles/users = %d/%d, want 3/2", len(d.RoleDetailList), len(d.UserDetailList))
	}
}

func TestFetchAccessDenied(t *testing.T) {
	srv := accounttest.NewServer(t, accounttest.Config{Fault: func(action string, n int) *accounttest.Fault {
		if action == "GetAccountAuthorizationDetails" {
			return accounttest.AccessDenied("iam:GetAccountAuthorizationDetails")
		}
		return nil
	}})
	_, err := account.FetchAuthorizationDetails(context.Background(), newClient(srv), account.FetchOptions{})
	var ad *account.AccessDeniedError
	if !errors.As(err, &ad) || !errors.Is(err, account.ErrAccessDenied) {
		t.Fatalf("error %v, want an AccessDeniedError", err)
	}
	if ad.Action != "iam:GetAccountAuthorizationDetails" {
		t.Errorf("Action = %q", ad.Action)
	}
	if msg := err.Error(); !strings.Contains(msg, "lack the read-only permission iam:GetAccountAuthorizationDetails") {
		t.Errorf("message does not name the missing permission: %s", msg)
	}
	if n := srv.Calls("GetAccountAuthorizationDetails"); n != 1 {
		t.Errorf("access denied retried: %d calls", n)
	}
}

// TestFetchPolicyLookupDenied: without iam:GetPolicy, the fetch succeeds,
// logs why, and the snapshot reports the policy missing.
func TestFetchPolicyLookupDenied(t *testing.T) {
	srv := accounttest.NewServer(t, accounttest.Config{Fault: func(action string, n int) *accounttest.Fault {
		if action == "GetPolicy" {
			return accounttest.AccessDenied("iam:GetPolicy")
		}
		return nil
	}})
	var logs bytes.Buffer
	d, err := account.FetchAuthorizationDetails(context.Background(), newClient(srv), account.FetchOptions{
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "iam:GetPolicy") || !strings.Contains(logs.String(), "ReadOnlyAccess") {
		t.Errorf("log does not say which lookup was denied: %s", logs.String())
	}
	s, err := account.New(d)
	if err != nil {
		t.Fatal(err)
	}
	m := s.Missing()
	if len(m) != 1 || m[0].ARN != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
		t.Errorf("Missing() = %+v", m)
	}
}

func TestFetchNoPolicyLookup(t *testing.T) {
	srv := accounttest.NewServer(t, accounttest.Config{})
	d, err := account.FetchAuthorizationDetails(context.Background(), newClient(srv), account.FetchOptions{NoPolicyLookup: true})
	if err != nil {
		t.Fatal(err)
	}
	if srv.Calls("GetPolicy") != 0 || len(d.Policies) != 5 {
		t.Errorf("GetPolicy calls %d, policies %d; want 0 and 5", srv.Calls("GetPolicy"), len(d.Policies))
	}
}

func TestFetchCanceled(t *testing.T) {
	srv := accounttest.NewServer(t, accounttest.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	_, err := account.FetchAuthorizationDetails(ctx, newClient(srv), account.FetchOptions{
		OnPage: func(int, *account.AuthorizationDetails) { cancel() },
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if n := srv.Calls("GetAccountAuthorizationDetails"); n != 1 {
		t.Errorf("%d calls after cancel in the first page", n)
	}
}

func TestFetchCredentialReport(t *testing.T) {
	srv := accounttest.NewServer(t, accounttest.Config{Fault: func(action string, n int) *accounttest.Fault {
		if action == "GetCredentialReport" && n == 1 {
			return &accounttest.Fault{Status: 404, Code: "ReportInProgress", Message: "Report generation in progress."}
		}
		return nil
	}})
	csv, generated, err := account.FetchCredentialReport(context.Background(), newClient(srv), account.ReportOptions{PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(csv, accounttest.CredentialReportCSV()) {
		t.Errorf("report content differs from the served CSV:\n%s", csv)
	}
	if want := time.Date(2024, 3, 12, 9, 0, 0, 0, time.UTC); !generated.Equal(want) {
		t.Errorf("generated %v, want %v", generated, want)
	}
	// STARTED, INPROGRESS, COMPLETE, then COMPLETE again after the
	// ReportInProgress answer.
	if g, r := srv.Calls("GenerateCredentialReport"), srv.Calls("GetCredentialReport"); g != 4 || r != 2 {
		t.Errorf("Generate/Get calls = %d/%d, want 4/2", g, r)
	}
	rep, err := account.ReadCredentialReport(bytes.NewReader(csv), "report.csv")
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Lookup("ci-bot"); c == nil || c.AccessKeys[1].LastUsedService != "lambda" {
		t.Errorf("ci-bot = %+v", c)
	}
}

func TestFetchCredentialReportTimeout(t *testing.T) {
	srv := accounttest.NewServer(t, accounttest.Config{})
	_, _, err := account.FetchCredentialReport(context.Background(), newClient(srv), account.ReportOptions{PollInterval: 20 * time.Millisecond, Timeout: 30 * time.Millisecond})
	if !errors.Is(err, account.ErrReportTimeout) {
		t.Errorf("error %v, want ErrReportTimeout", err)
	}
}

func TestFetchCredentialReportDenied(t *testing.T) {
	srv := accounttest.NewServer(t, accounttest.Config{Fault: func(action string, n int) *accounttest.Fault {
		if action == "GenerateCredentialReport" {
			return accounttest.AccessDenied("iam:GenerateCredentialReport")
		}
		return nil
	}})
	_, _, err := account.FetchCredentialReport(context.Background(), newClient(srv), account.ReportOptions{PollInterval: time.Millisecond})
	var ad *account.AccessDeniedError
	if !errors.As(err, &ad) || ad.Action != "iam:GenerateCredentialReport" {
		t.Errorf("error %v, want access denied for iam:GenerateCredentialReport", err)
	}
}

// firstDiff shows where two texts first differ.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "line " + itoa(i+1) + ":\n got: " + al[i] + "\nwant: " + bl[i]
		}
	}
	return "lengths differ: " + itoa(len(al)) + " vs " + itoa(len(bl)) + " lines"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
