package s3_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/ingest/s3"
	"github.com/tailor-sec/tailor/internal/faultproxy"
)

// orgEnv uploads the organization fixture under "trail/" in bucket "org"
// and an arbitrary export (no CloudTrail layout) under "exports/".
func orgEnv(t *testing.T) (*env, []logFile) {
	t.Helper()
	e := newEnv(t)
	e.srv.CreateBucket(t, "org")
	logs, others := orgFixture("trail/")
	for _, l := range logs {
		e.srv.Put(t, "org", l.key, l.data)
	}
	for k, v := range others {
		e.srv.Put(t, "org", k, v)
	}
	for k, v := range exportFixture() {
		e.srv.Put(t, "org", k, v)
	}
	e.proxy.ResetLog()
	return e, logs
}

func exportFixture() map[string][]byte {
	return map[string][]byte{
		"exports/2024/a.json.gz": []byte("a"),
		"exports/2024/b.json":    []byte("bb"),
		"exports/2024/c.txt":     []byte("ccc"),
		"exports/x/y/z.jsonl.gz": []byte("dddd"),
		"exports/" + acctA + "_CloudTrail_us-east-1_20240131T0100Z_q.json.gz":                    []byte("eeeee"),
		"exports/" + acctB + "_CloudTrail-Digest_us-east-1_t_us-east-1_20240131T010000Z.json.gz": []byte("f"),
	}
}

// TestList runs the listing tests on one server holding the organization
// fixture; each test resets the proxy's rules and log.
func TestList(t *testing.T) {
	e, logs := orgEnv(t)
	tests := []struct {
		name string
		fn   func(*testing.T, *env, []logFile)
	}{
		{"OrganizationTrail", testListOrganizationTrail},
		{"Stats", testListStats},
		{"OrderIsDeterministic", testListOrderIsDeterministic},
		{"SurvivesThrottling", testListSurvivesThrottling},
		{"StopsOnCallbackError", testListStopsOnCallbackError},
		{"Errors", testListErrors},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.proxy.SetRules()
			e.proxy.ResetLog()
			tt.fn(t, e, logs)
		})
	}
}

func testListOrganizationTrail(t *testing.T, e *env, logs []logFile) {
	const (
		P = "trail/AWSLogs/"
		O = P + orgID + "/"
	)
	tests := []struct {
		name   string
		uri    string
		filter ingest.Filter
		// wantLists are the prefixes listed, in any order; nil to check
		// only their number.
		wantLists []string
		wantCount int
		wantKeys  []string // for the export cases; else selects() decides
	}{
		{
			name: "account-region-window",
			uri:  "s3://org/trail",
			filter: ingest.Filter{Accounts: []string{acctA}, Regions: []string{"us-east-1"},
				Since: day(2024, 1, 31), Until: day(2024, 2, 1)},
			// Feb 1 is listed: files delivered in its first two hours may
			// hold Jan 31 records. Jan 30 is not.
			wantLists: []string{P, O + acctA + "/CloudTrail/us-east-1/2024/01/31/", O + acctA + "/CloudTrail/us-east-1/2024/02/01/"},
		},
		{
			name: "regions-listed-for-a-week",
			uri:  "s3://org/trail",
			filter: ingest.Filter{Accounts: []string{acctA}, Regions: []string{"us-east-1", "ap-south-1"},
				Since: day(2024, 1, 29), Until: day(2024, 2, 4)},
			// The account has no ap-south-1 folder: listing its regions
			// once saves a LIST per day there.
			wantLists: []string{P, O + acctA + "/CloudTrail/",
				O + acctA + "/CloudTrail/us-east-1/2024/01/29/", O + acctA + "/CloudTrail/us-east-1/2024/01/30/",
				O + acctA + "/CloudTrail/us-east-1/2024/01/31/", O + acctA + "/CloudTrail/us-east-1/2024/02/01/",
				O + acctA + "/CloudTrail/us-east-1/2024/02/02/", O + acctA + "/CloudTrail/us-east-1/2024/02/03/",
				O + acctA + "/CloudTrail/us-east-1/2024/02/04/"},
		},
		{
			name: "own-account-all-regions-half-day",
			uri:  "s3://org/trail/",
			filter: ingest.Filter{Accounts: []string{acctOwn},
				Since: day(2024, 1, 30).Add(6 * time.Hour), Until: day(2024, 1, 30).Add(18 * time.Hour)},
			// Regions are discovered; the account is also looked for in the
			// organization folder, where it has no regions.
			wantLists: []string{P, P + acctOwn + "/CloudTrail/", O + acctOwn + "/CloudTrail/",
				P + acctOwn + "/CloudTrail/eu-west-1/2024/01/30/", P + acctOwn + "/CloudTrail/us-east-1/2024/01/30/"},
		},
		{
			name: "everything",
			uri:  "s3://org/trail",
			// AWSLogs/ 1, organization 1, CloudTrail/ of 4 accounts, years
			// of 7 regions, months of 2 years x 7, days of 3 months x 7,
			// 4 days x 7.
			wantCount: 1 + 1 + 4 + 7 + 14 + 21 + 28,
		},
		{
			name:   "since-only",
			uri:    "s3://org/trail",
			filter: ingest.Filter{Since: day(2024, 2, 1)},
			// 2023 and January are pruned at the year and month listings.
			wantCount: 1 + 1 + 4 + 7 + 7 + 7 + 7,
		},
		{
			name:   "until-only",
			uri:    "s3://org/trail",
			filter: ingest.Filter{Until: day(2024, 1, 1)},
			// 2024 and its January stay (files delivered up to 2 hours
			// after Until), but no January day does.
			wantCount: 1 + 1 + 4 + 7 + 14 + 14 + 7,
		},
		{
			name: "prefix-in-layout",
			uri:  "s3://org/trail/AWSLogs/" + orgID + "/" + acctB + "/CloudTrail/",
			filter: ingest.Filter{Regions: []string{"eu-west-1"},
				Since: day(2024, 1, 31).Add(12 * time.Hour), Until: day(2024, 1, 31).Add(23 * time.Hour)},
			wantLists: []string{O + acctB + "/CloudTrail/eu-west-1/2024/01/31/", O + acctB + "/CloudTrail/eu-west-1/2024/02/01/"},
		},
		{
			name:      "prefix-excluded-by-filter",
			uri:       "s3://org/trail/AWSLogs/" + orgID + "/" + acctB,
			filter:    ingest.Filter{Accounts: []string{acctA}},
			wantLists: []string{},
		},
		{
			name:      "export-without-layout",
			uri:       "s3://org/exports",
			wantLists: []string{"exports/AWSLogs/", "exports/"},
			wantKeys: []string{"exports/" + acctA + "_CloudTrail_us-east-1_20240131T0100Z_q.json.gz",
				"exports/2024/a.json.gz", "exports/2024/b.json", "exports/x/y/z.jsonl.gz"},
		},
		{
			name:      "export-filtered-by-name",
			uri:       "s3://org/exports/",
			filter:    ingest.Filter{Accounts: []string{acctB}},
			wantLists: []string{"exports/AWSLogs/", "exports/"},
			wantKeys:  []string{"exports/2024/a.json.gz", "exports/2024/b.json", "exports/x/y/z.jsonl.gz"},
		},
		{
			name:      "single-object",
			uri:       "s3://org/exports/2024/b.json",
			wantLists: []string{"exports/2024/b.json"},
			wantKeys:  []string{"exports/2024/b.json"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.proxy.ResetLog()
			src := e.source(t, tt.uri, s3.Options{})
			got := listAll(t, src, tt.filter)

			want := tt.wantKeys
			if want == nil && !strings.Contains(tt.uri, "exports") {
				want = []string{}
				for _, l := range logs {
					if selects(tt.filter, l) && strings.HasPrefix(l.key, strings.TrimPrefix(tt.uri, "s3://org/")) {
						want = append(want, l.key)
					}
				}
			}
			slices.Sort(want)
			if gotKeys := keysOf(got); !slices.Equal(gotKeys, want) {
				t.Errorf("selected %d keys:\n%s\nwant %d:\n%s", len(gotKeys), strings.Join(gotKeys, "\n"), len(want), strings.Join(want, "\n"))
			}

			var lists []string
			for _, en := range e.proxy.Entries(faultproxy.OpListObjects) {
				lists = append(lists, en.Query.Get("prefix"))
				for _, bad := range []string{"CloudTrail-Digest", "CloudTrail-Insight", "elasticloadbalancing", "trail/other"} {
					if strings.Contains(en.Query.Get("prefix"), bad) {
						t.Errorf("listed %s", en.Query.Get("prefix"))
					}
				}
			}
			if tt.wantLists != nil {
				slices.Sort(lists)
				wantLists := slices.Clone(tt.wantLists)
				slices.Sort(wantLists)
				if !slices.Equal(lists, wantLists) {
					t.Errorf("listed prefixes:\n%s\nwant:\n%s", strings.Join(lists, "\n"), strings.Join(wantLists, "\n"))
				}
			} else if len(lists) != tt.wantCount {
				t.Errorf("sent %d LIST requests, want %d", len(lists), tt.wantCount)
			}
			if n := e.proxy.Count(faultproxy.OpGetObject, ""); n != 0 {
				t.Errorf("List fetched %d objects", n)
			}
			if st := src.ListStats(); st.Requests != int64(len(lists)) || st.Selected != int64(len(got)) {
				t.Errorf("ListStats = %+v; saw %d LISTs and %d objects", st, len(lists), len(got))
			}
		})
	}
}

func testListStats(t *testing.T, e *env, logs []logFile) {
	src := e.source(t, "s3://org/trail", s3.Options{})
	f := ingest.Filter{Accounts: []string{acctA}, Regions: []string{"us-east-1"},
		Since: day(2024, 1, 31), Until: day(2024, 2, 1)}
	got := listAll(t, src, f)
	var bytes int64
	for _, o := range got {
		bytes += o.Size
	}
	var wantBytes int64
	for _, l := range logs {
		if selects(f, l) {
			wantBytes += int64(len(l.data))
		}
	}
	// Listed: AWSLogs/README.md beside the account folders; on Jan 31, 3
	// logs, a stray digest and notes.txt; on Feb 1, 3 logs of which 2
	// are delivered too late.
	want := s3.ListStats{Requests: 3, Listed: 1 + 5 + 3, Selected: 4, SelectedBytes: wantBytes,
		SkippedDigest: 1, SkippedNotLog: 2, SkippedFiltered: 2}
	if st := src.ListStats(); st != want {
		t.Errorf("ListStats = %+v\nwant       %+v", st, want)
	}
	if bytes != wantBytes {
		t.Errorf("objects total %d bytes, want %d", bytes, wantBytes)
	}
}

func testListOrderIsDeterministic(t *testing.T, e *env, _ []logFile) {
	var runs [][]ingest.Object
	for _, n := range []int{1, 3, 16} {
		src := e.source(t, "s3://org/trail", s3.Options{MaxConcurrentLists: n})
		runs = append(runs, listAll(t, src, ingest.Filter{}))
	}
	if !slices.IsSortedFunc(runs[0], func(a, b ingest.Object) int { return strings.Compare(a.Key, b.Key) }) {
		t.Errorf("objects not in key order")
	}
	for i := 1; i < len(runs); i++ {
		if !slices.Equal(runs[0], runs[i]) {
			t.Errorf("run %d differs from run 0", i)
		}
	}
	for _, o := range runs[0] {
		if o.ETag == "" || o.Size <= 0 {
			t.Errorf("object without ETag or size: %+v", o)
		}
	}
}

func testListSurvivesThrottling(t *testing.T, e *env, logs []logFile) {
	e.proxy.SetRules(faultproxy.Rule{Op: faultproxy.OpListObjects, Probability: 0.3, Fault: faultproxy.SlowDown()},
		faultproxy.Rule{Op: faultproxy.OpListObjects, Probability: 0.1, Fault: faultproxy.InternalError()})
	src := e.source(t, "s3://org/trail", s3.Options{})
	got := listAll(t, src, ingest.Filter{})
	if len(got) != len(logs) {
		t.Errorf("listed %d objects, want %d", len(got), len(logs))
	}
	faults := 0
	for _, en := range e.proxy.Entries(faultproxy.OpListObjects) {
		if en.Fault != faultproxy.None {
			faults++
		}
	}
	if faults == 0 {
		t.Errorf("no fault was injected: the test tests nothing")
	}
	if st := src.ListStats(); st.Requests != int64(len(e.proxy.Entries(faultproxy.OpListObjects))-faults) {
		t.Errorf("ListStats.Requests = %d; proxy saw %d LISTs of which %d faulted", st.Requests,
			len(e.proxy.Entries(faultproxy.OpListObjects)), faults)
	}
}

func testListStopsOnCallbackError(t *testing.T, e *env, _ []logFile) {
	src := e.source(t, "s3://org/trail", s3.Options{})
	stop := errors.New("enough")
	n := 0
	err := src.List(context.Background(), ingest.Filter{}, func(ingest.Object) error {
		n++
		if n == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 5 {
		t.Errorf("List returned %v after %d calls, want the callback's error after 5", err, n)
	}
}

func testListErrors(t *testing.T, e *env, _ []logFile) {
	tests := []struct {
		name    string
		uri     string
		rule    *faultproxy.Rule
		wantErr error
		wantMsg string
	}{
		{name: "no-such-bucket", uri: "s3://missing-bucket/trail", wantErr: s3.ErrNoSuchBucket,
			wantMsg: "s3: list s3://missing-bucket/trail/AWSLogs/: no such bucket: NoSuchBucket: "},
		{name: "access-denied", uri: "s3://org/trail",
			rule:    &faultproxy.Rule{Op: faultproxy.OpListObjects, Fault: faultproxy.S3Error(403, "AccessDenied", "Access Denied")},
			wantErr: s3.ErrAccessDenied, wantMsg: "s3: list s3://org/trail/AWSLogs/: access denied: AccessDenied: Access Denied"},
		{name: "denied-deeper", uri: "s3://org/trail",
			rule: &faultproxy.Rule{Op: faultproxy.OpListObjects, Match: func(r *http.Request) bool {
				return strings.HasSuffix(r.URL.Query().Get("prefix"), "/CloudTrail/")
			}, Fault: faultproxy.S3Error(403, "AccessDenied", "Access Denied")},
			// Every account's folder is denied; the error met first in key
			// order is reported.
			wantErr: s3.ErrAccessDenied, wantMsg: "s3: list s3://org/trail/AWSLogs/" + acctOwn + "/CloudTrail/: access denied"},
		{name: "wrong-region", uri: "s3://org/trail",
			rule: &faultproxy.Rule{Op: faultproxy.OpListObjects, Fault: faultproxy.Fault{Kind: faultproxy.Error,
				Status: 301, Code: "PermanentRedirect", Message: "The bucket you are attempting to access must be addressed using the specified endpoint.",
				Header: http.Header{"X-Amz-Bucket-Region": {"eu-west-1"}}}},
			wantErr: s3.ErrWrongRegion,
			wantMsg: "s3: list s3://org/trail/AWSLogs/: bucket is in another region: PermanentRedirect: The bucket you are attempting to access must be addressed using the specified endpoint. (the bucket is in eu-west-1: set the region to eu-west-1)"},
		{name: "bad-credentials", uri: "s3://org/trail",
			rule:    &faultproxy.Rule{Op: faultproxy.OpListObjects, Fault: faultproxy.S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")},
			wantErr: s3.ErrAccessDenied,
			wantMsg: "s3: list s3://org/trail/AWSLogs/: access denied: InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.proxy.SetRules()
			if tt.rule != nil {
				e.proxy.SetRules(*tt.rule)
			}
			src := e.source(t, tt.uri, s3.Options{})
			err := src.List(context.Background(), ingest.Filter{}, func(ingest.Object) error { return nil })
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("List: %v, want %v", err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), tt.wantMsg) {
				t.Errorf("message %q\nwant prefix %q", err, tt.wantMsg)
			}
		})
	}
}
