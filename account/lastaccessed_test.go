package account_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/account/accounttest"
)

const (
	aliceARN   = "arn:aws:iam::111122223333:user/alice"
	ciBotARN   = "arn:aws:iam::111122223333:user/automation/ci-bot"
	vendorARN  = "arn:aws:iam::111122223333:role/vendor-audit"
	webARN     = "arn:aws:iam::111122223333:role/app/web-server"
	supportARN = "arn:aws:iam::111122223333:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"
)

func allPrincipals() []string {
	var out []string
	for _, j := range accounttest.LastAccessedJobs() {
		out = append(out, j.ARN)
	}
	return out
}

// cliReport reads a report the AWS CLI printed, from testdata.
func cliReport(t *testing.T, name string) account.LastAccessed {
	t.Helper()
	files, err := account.LoadLastAccessed(filepath.Join("testdata", "last-accessed", name))
	if err != nil {
		t.Fatal(err)
	}
	return files[0].Report
}

func TestFetchLastAccessed(t *testing.T) {
	srv := accounttest.NewServer(t, accounttest.Config{
		Fault: func(action string, n int) *accounttest.Fault {
			if action == "GetServiceLastAccessedDetails" && (n == 1 || n == 4) {
				return accounttest.Throttling()
			}
			return nil
		},
		RequestFault: func(r accounttest.Request, n int) *accounttest.Fault {
			if r.Action == "GenerateServiceLastAccessedDetails" && r.Form.Get("Arn") == supportARN {
				return accounttest.AccessDenied("iam:GenerateServiceLastAccessedDetails")
			}
			return nil
		},
	})
	var done []int
	reports, warnings, err := account.FetchLastAccessed(context.Background(), newClient(srv), allPrincipals(), account.LastAccessedOptions{
		PollInterval: time.Millisecond,
		OnDone:       func(n, total int) { done = append(done, n*10+total) },
	})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, r := range reports {
		arns = append(arns, r.ARN)
	}
	if want := []string{webARN, vendorARN, aliceARN, ciBotARN}; !reflect.DeepEqual(arns, want) {
		t.Errorf("reports of %q, want %q (sorted, without the denied role)", arns, want)
	}
	if !reflect.DeepEqual(done, []int{15, 25, 35, 45, 55}) {
		t.Errorf("OnDone saw %v", done)
	}
	if len(warnings) != 1 || warnings[0].Subject != supportARN || warnings[0].Kind != account.WarnLastAccessed ||
		!strings.Contains(warnings[0].Message, "iam:GenerateServiceLastAccessedDetails") {
		t.Errorf("warnings = %+v, want one for the denied role naming the permission", warnings)
	}

	// alice's report, read from two XML pages, equals the CLI's JSON of it.
	want := cliReport(t, "dir/user/alice.json")
	want.ARN, want.JobID = aliceARN, "examplef-1305-c245-eba4-71fe298bcd01"
	if !reflect.DeepEqual(reports[2], want) {
		t.Errorf("alice's report:\n got %+v\nwant %+v", reports[2], want)
	}
	failed := reports[1]
	if failed.JobStatus != "FAILED" || failed.Error == nil || failed.Error.Code != "InternalFailure" ||
		failed.Error.Message != "The report could not be generated. Try again later." || len(failed.Services) != 0 {
		t.Errorf("vendor-audit's failed job = %+v", failed)
	}

	// Requests: action level, the largest pages, alice's second page by
	// marker, each job checked until it left IN_PROGRESS.
	jobOf := map[string]string{}
	for _, j := range accounttest.LastAccessedJobs() {
		jobOf[j.ARN] = j.JobID
	}
	gets := map[string]int{}
	var markers []string
	for _, r := range srv.Requests() {
		switch r.Action {
		case "GenerateServiceLastAccessedDetails":
			if g := r.Form.Get("Granularity"); g != "ACTION_LEVEL" {
				t.Errorf("Granularity = %q", g)
			}
		case "GetServiceLastAccessedDetails":
			gets[r.Form.Get("JobId")]++
			if r.Form.Get("MaxItems") != "1000" {
				t.Errorf("MaxItems = %q", r.Form.Get("MaxItems"))
			}
			if m := r.Form.Get("Marker"); m != "" {
				markers = append(markers, r.Form.Get("JobId")+" "+m)
			}
		}
	}
	if want := []string{jobOf[aliceARN] + " AAEAAZwV4ZK4vZ5mWqvN7R0sF1tYl2xJgS8pQ3Ov0ac1LAST2"}; !reflect.DeepEqual(markers, want) {
		t.Errorf("markers sent: %q", markers)
	}
	total := 0
	for _, n := range gets {
		total += n
	}
	// 2 IN_PROGRESS answers and 1 final page per job, alice's second page,
	// and the 2 throttled calls.
	if total != 4*3+1+2 || gets[jobOf[supportARN]] != 0 {
		t.Errorf("GetServiceLastAccessedDetails calls per job: %v", gets)
	}
	if g := srv.Calls("GenerateServiceLastAccessedDetails"); g != 5 {
		t.Errorf("%d GenerateServiceLastAccessedDetails calls, want 5 (the denied one not retried)", g)
	}
}

// TestFetchLastAccessedJobs: no more principals are in flight than asked,
// and more than one when allowed. With more than one job allowed, the
// server holds every check of a job until a second job has started, so
// that a fetch running one job at a time fails rather than passes by luck.
func TestFetchLastAccessedJobs(t *testing.T) {
	for _, jobs := range []int{1, 2, 5} {
		second := make(chan struct{})
		var once sync.Once
		var gens atomic.Int32
		srv := accounttest.NewServer(t, accounttest.Config{JobPolls: 1, RequestFault: func(r accounttest.Request, n int) *accounttest.Fault {
			switch {
			case r.Action == "GenerateServiceLastAccessedDetails" && gens.Add(1) == 2:
				once.Do(func() { close(second) })
			case r.Action == "GetServiceLastAccessedDetails" && jobs > 1:
				select {
				case <-second:
				case <-time.After(5 * time.Second):
				}
			}
			return nil
		}})
		_, _, err := account.FetchLastAccessed(context.Background(), newClient(srv), allPrincipals(), account.LastAccessedOptions{
			Jobs: jobs, PollInterval: time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		// A job is in flight from its Generate call to its last Get call.
		byARN := map[string]string{}
		last := map[string]int{}
		reqs := srv.Requests()
		for _, j := range accounttest.LastAccessedJobs() {
			byARN[j.ARN] = j.JobID
		}
		for i, r := range reqs {
			if r.Action == "GetServiceLastAccessedDetails" {
				last[r.Form.Get("JobId")] = i
			}
		}
		inFlight, most := map[string]bool{}, 0
		for i, r := range reqs {
			if r.Action == "GenerateServiceLastAccessedDetails" {
				inFlight[byARN[r.Form.Get("Arn")]] = true
			}
			most = max(most, len(inFlight))
			for id := range inFlight {
				if last[id] == i {
					delete(inFlight, id)
				}
			}
		}
		if most > jobs || jobs > 1 && most < 2 {
			t.Errorf("Jobs %d: %d principals in flight at most", jobs, most)
		}
	}
}

func TestFetchLastAccessedCanceled(t *testing.T) {
	srv := accounttest.NewServer(t, accounttest.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	_, _, err := account.FetchLastAccessed(ctx, newClient(srv), allPrincipals(), account.LastAccessedOptions{
		Jobs: 1, PollInterval: time.Millisecond,
		OnDone: func(int, int) { cancel() },
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if n := srv.Calls("GenerateServiceLastAccessedDetails"); n != 1 {
		t.Errorf("%d jobs started after cancel in the first", n)
	}
}

func TestFetchLastAccessedTimeout(t *testing.T) {
	srv := accounttest.NewServer(t, accounttest.Config{JobPolls: 1000})
	reports, warnings, err := account.FetchLastAccessed(context.Background(), newClient(srv), []string{aliceARN, webARN}, account.LastAccessedOptions{
		PollInterval: 2 * time.Millisecond, Timeout: 40 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 0 || len(warnings) != 2 || !strings.Contains(warnings[0].Message, "still IN_PROGRESS after 40ms") {
		t.Errorf("reports %v, warnings %v; want none and two timeouts", reports, warnings)
	}
	// Waits of 2, 4, 8, 16 ms fit in 40 ms, the next does not: at most 5
	// checks per job (fewer on a busy machine), 20 without the backoff.
	if n := srv.Calls("GetServiceLastAccessedDetails"); n < 2 || n > 2*5 {
		t.Errorf("%d checks, want 2 to 10 (backoff doubling from 2ms)", n)
	}
}

func TestFetchLastAccessedNoSuchEntity(t *testing.T) {
	srv := accounttest.NewServer(t, accounttest.Config{})
	gone := "arn:aws:iam::111122223333:role/deleted-meanwhile"
	reports, warnings, err := account.FetchLastAccessed(context.Background(), newClient(srv), []string{gone, webARN}, account.LastAccessedOptions{PollInterval: time.Millisecond, ServiceLevel: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].ARN != webARN || len(warnings) != 1 || !strings.Contains(warnings[0].Message, "NoSuchEntity") {
		t.Errorf("reports %v, warnings %v", reports, warnings)
	}
	if g := srv.Requests()[0].Form.Get("Granularity"); g != "SERVICE_LEVEL" {
		t.Errorf("Granularity = %q", g)
	}
}

// TestLastAccessedSnapshot: reports saved with the authorization details
// load back, and the snapshot finds them by ARN, name or session.
func TestLastAccessedSnapshot(t *testing.T) {
	srv := accounttest.NewServer(t, accounttest.Config{JobPolls: -1})
	ctx := context.Background()
	d, err := account.FetchAuthorizationDetails(ctx, newClient(srv), account.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.ServiceLastAccessedDetails, _, err = account.FetchLastAccessed(ctx, newClient(srv), allPrincipals(), account.LastAccessedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls("GetServiceLastAccessedDetails"); n != 6 {
		t.Errorf("%d checks with JobPolls -1, want 6 (one per page)", n)
	}
	var buf bytes.Buffer
	if err := account.WriteAuthorizationDetails(&buf, d); err != nil {
		t.Fatal(err)
	}
	snap, err := account.Read(bytes.NewReader(buf.Bytes()), "authz.json")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(snap.Details().ServiceLastAccessedDetails, d.ServiceLastAccessedDetails) {
		t.Error("reports read back differ from those written")
	}
	if !strings.Contains(buf.String(), `"ServiceLastAccessedDetails": [`) || !strings.Contains(buf.String(), `"LastAccessedTime": "2024-03-11T16:02:00+00:00"`) {
		t.Errorf("written file lacks the documented keys:\n%.2000s", buf.String())
	}
	for _, q := range []string{aliceARN, "arn:aws:sts::111122223333:assumed-role/web-server/i-0abc"} {
		if snap.LastAccessed(q) == nil {
			t.Errorf("LastAccessed(%s) = nil", q)
		}
	}
	if snap.LastAccessed("arn:aws:iam::111122223333:role/nope") != nil || !snap.HasLastAccessed() {
		t.Error("LastAccessed finds a report of an unknown role, or HasLastAccessed is false")
	}
	var warned bool
	for _, w := range snap.Warnings() {
		if w.Kind == account.WarnLastAccessed && w.Subject == vendorARN && strings.Contains(w.Message, "InternalFailure") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning about vendor-audit's failed job: %v", snap.Warnings())
	}
	// A file without the key still reads, with no reports.
	plain := expected(t)
	if plain.HasLastAccessed() || plain.LastAccessed(aliceARN) != nil {
		t.Error("the CLI's authorization details have last accessed reports")
	}
}

func TestLastAccessedQueries(t *testing.T) {
	alice := cliReport(t, "dir/user/alice.json")
	day := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Completed 2024-03-12T09:15:35Z: services tracked from 400 days
	// before, 2023-02-06T09:15:35Z; reports cover up to 05:15:35 that day.
	tests := []struct {
		name  string
		q     account.Access
		since string
		want  account.AccessVerdict
	}{
		{"service used after", alice.Service("s3"), "2024-03-01T00:00:00Z", account.AccessSeen},
		{"service used exactly at", alice.Service("S3"), "2024-03-11T16:02:00Z", account.AccessSeen},
		{"service unused since", alice.Service("lambda"), "2024-03-01T00:00:00Z", account.AccessNotSeen},
		{"service never used", alice.Service("cloudformation"), "2023-03-01T00:00:00Z", account.AccessNotSeen},
		{"before the 400 days", alice.Service("cloudformation"), "2023-02-01T00:00:00Z", account.AccessUnknown},
		{"used, though before the 400 days", alice.Service("s3"), "2020-01-01T00:00:00Z", account.AccessSeen},
		{"after the report", alice.Service("cloudformation"), "2024-03-12T08:00:00Z", account.AccessUnknown},
		{"service not listed", alice.Service("ec2"), "2024-03-01T00:00:00Z", account.AccessUnknown},
		{"action used", alice.Action("s3:GetBucketLocation"), "2024-03-01T00:00:00Z", account.AccessSeen},
		{"action unused since", alice.Action("s3:ListAllMyBuckets"), "2024-01-01T00:00:00Z", account.AccessNotSeen},
		{"action used since", alice.Action("s3:listallmybuckets"), "2023-11-01T00:00:00Z", account.AccessSeen},
		{"action never used", alice.Action("s3:CreateBucket"), "2023-06-01T00:00:00Z", account.AccessNotSeen},
		{"action before the 400 days", alice.Action("s3:CreateBucket"), "2023-01-01T00:00:00Z", account.AccessUnknown},
		{"other service's action tracked from 2023-05-23", alice.Action("cloudformation:CreateStack"), "2023-05-22T00:00:00Z", account.AccessUnknown},
		{"other service's action after 2023-05-23", alice.Action("cloudformation:CreateStack"), "2023-05-23T00:00:00Z", account.AccessNotSeen},
		{"action not listed", alice.Action("s3:GetObject"), "2024-03-01T00:00:00Z", account.AccessUnknown},
		{"not an action", alice.Action("s3"), "2024-03-01T00:00:00Z", account.AccessUnknown},
		{"no report", (*account.LastAccessed)(nil).Service("s3"), "2024-03-01T00:00:00Z", account.AccessUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.q.Since(day(tt.since)); got != tt.want {
				t.Errorf("Since(%s) = %v, want %v (access %+v)", tt.since, got, tt.want, tt.q)
			}
		})
	}
	if last, tracked := alice.ActionAccessed("lambda:UpdateFunctionCode"); !tracked || !last.Equal(day("2024-02-20T13:41:00Z")) {
		t.Errorf("ActionAccessed(lambda:UpdateFunctionCode) = %v, %v", last, tracked)
	}
	if last, tracked := alice.ServiceAccessed("cloudformation"); !tracked || !last.IsZero() {
		t.Errorf("ServiceAccessed(cloudformation) = %v, %v; want tracked, never", last, tracked)
	}
	if got := alice.Action("s3:CreateBucket").From; !got.Equal(day("2023-02-06T09:15:35.241Z")) {
		t.Errorf("s3 action tracking from %v", got)
	}
	if got := alice.ActionTrackingStart("cloudformation"); !got.Equal(day("2023-05-23T00:00:00Z")) {
		t.Errorf("cloudformation action tracking from %v", got)
	}
	failed := alice
	failed.JobStatus = account.JobFailed
	if failed.Service("s3").Tracked || failed.Complete() {
		t.Error("a FAILED report answers")
	}
	serviceOnly := alice
	serviceOnly.JobType = account.JobServiceLevel
	if serviceOnly.Action("s3:GetBucketLocation").Tracked || !serviceOnly.Service("s3").Tracked {
		t.Error("a SERVICE_LEVEL report answers for actions, or not for services")
	}
	if _, ok := account.TrackingRegionStart("eu-central-1"); !ok {
		t.Error("eu-central-1 not tracked")
	}
	if _, ok := account.TrackingRegionStart("ap-southeast-7"); ok {
		t.Error("a Region the User Guide does not list is tracked")
	}
}

func TestLoadLastAccessedDir(t *testing.T) {
	files, err := account.LoadLastAccessed(filepath.Join("testdata", "last-accessed", "dir"))
	if err != nil {
		t.Fatal(err)
	}
	reports, err := expected(t).ResolveLastAccessed(files)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range reports {
		got = append(got, r.ARN)
	}
	// ci-bot by its Arn key, alice by her path, web-server by the entity
	// in the report.
	if want := []string{webARN, aliceARN, ciBotARN}; !reflect.DeepEqual(got, want) {
		t.Errorf("resolved %q, want %q", got, want)
	}
	snap := expected(t).WithLastAccessed(reports)
	if l := snap.LastAccessed(webARN); l == nil || l.Service("s3").Since(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)) != account.AccessSeen {
		t.Errorf("web-server's report in the snapshot: %+v", l)
	}
}

func TestLoadLastAccessedErrors(t *testing.T) {
	tests := []struct {
		file, want string
	}{
		{"bad/in-progress.json", "bad/in-progress.json:1:1: account: unexpected input format: the job is still IN_PROGRESS"},
		{"bad/truncated.json", "the last page says more follow"},
		{"bad/bad-time.json", `bad-time.json:3:24: account: unexpected input format: parse time "yesterday"`},
		{"bad/alice.json", "it is taken as arn:aws:iam::111122223333:user/alice's, but names arn:aws:iam::111122223333:user/automation/ci-bot"},
		{"bad/nobody.json", `cannot tell whose report it is: no "Arn" key, "nobody" names no user or role`},
		{"../../../account/accounttest/testdata/authz-expected.json", "this is get-account-authorization-details output"},
		{"missing.json", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			files, err := account.LoadLastAccessed(filepath.Join("testdata", "last-accessed", tt.file))
			if err == nil {
				_, err = expected(t).ResolveLastAccessed(files)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestReadLastAccessedPages: pages of one report, as the CLI prints them
// with --max-items, are merged.
func TestReadLastAccessedPages(t *testing.T) {
	alice := cliReport(t, "dir/user/alice.json")
	var pages bytes.Buffer
	for i := range alice.Services {
		p := alice
		p.Services = alice.Services[i : i+1]
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		json.Unmarshal(b, &m)
		m["IsTruncated"] = i < len(alice.Services)-1
		b, _ = json.Marshal(m)
		pages.Write(b)
	}
	got, err := account.ReadLastAccessed(&pages, "pages.json")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, alice) {
		t.Errorf("merged pages differ:\n got %+v\nwant %+v", *got, alice)
	}
}
