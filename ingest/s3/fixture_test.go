package s3_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/ingest/s3"
	"github.com/tailor-sec/tailor/internal/faultproxy"
	"github.com/tailor-sec/tailor/internal/s3test"
)

// A logFile is one CloudTrail delivery file of a fixture, with what its
// key says.
type logFile struct {
	key       string
	account   string
	region    string
	delivered time.Time
	data      []byte
}

// trailFile returns a gzipped CloudTrail delivery file with n records made
// in the 10 minutes before delivery, their contents drawn from seed.
func trailFile(account, region string, delivered time.Time, n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 42))
	type rec = map[string]any
	records := make([]rec, n)
	for i := range records {
		t := delivered.Add(-time.Duration(rng.IntN(600)) * time.Second)
		records[i] = rec{
			"eventVersion": "1.08",
			"userIdentity": rec{
				"type":        "AssumedRole",
				"principalId": fmt.Sprintf("AROA%016X:session-%d", rng.Uint64(), rng.IntN(5)),
				"arn":         fmt.Sprintf("arn:aws:sts::%s:assumed-role/role-%d/session", account, rng.IntN(5)),
				"accountId":   account,
				"accessKeyId": fmt.Sprintf("ASIA%016X", rng.Uint64()),
			},
			"eventTime":          t.UTC().Format(time.RFC3339),
			"eventSource":        "s3.amazonaws.com",
			"eventName":          []string{"GetObject", "ListBuckets", "PutObject", "DescribeInstances"}[rng.IntN(4)],
			"awsRegion":          region,
			"sourceIPAddress":    fmt.Sprintf("198.51.100.%d", rng.IntN(255)),
			"userAgent":          "aws-cli/2.15.0",
			"requestID":          fmt.Sprintf("%016X%016X", rng.Uint64(), rng.Uint64()),
			"eventID":            fmt.Sprintf("%016x-%016x", rng.Uint64(), rng.Uint64()),
			"readOnly":           rng.IntN(2) == 0,
			"eventType":          "AwsApiCall",
			"managementEvent":    true,
			"recipientAccountId": account,
		}
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(map[string]any{"Records": records}); err != nil {
		panic(err)
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// logKey builds the key CloudTrail gives a delivery file under base
// (".../AWSLogs/[o-org/]").
func logKey(base, account, region string, delivered time.Time, id string) string {
	return fmt.Sprintf("%s%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz",
		base, account, region, delivered.Format("2006/01/02"), account, region, delivered.Format("20060102T1504Z"), id)
}

// The organization fixture: three member accounts of an organization
// trail and one account with its own trail, under the prefix "trail/".
const (
	orgID   = "o-a1b2c3d4e5"
	acctA   = "111111111111"
	acctB   = "222222222222"
	acctC   = "333333333333"
	acctOwn = "444444444444" // not in the organization trail
)

var (
	orgRegions = map[string][]string{
		acctA:   {"eu-west-1", "us-east-1"},
		acctB:   {"eu-west-1", "us-east-1"},
		acctC:   {"us-east-1"},
		acctOwn: {"eu-west-1", "us-east-1"},
	}
	orgDays = []time.Time{
		day(2023, 12, 31), day(2024, 1, 30), day(2024, 1, 31), day(2024, 2, 1),
	}
	// Delivery times within each day.
	orgTimes = []time.Duration{5 * time.Minute, 12 * time.Hour, 23*time.Hour + 55*time.Minute}
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// orgFixture returns the organization fixture's log files and the keys
// that are not log files or not API call logs (digests, insights, notes,
// other services' logs), all under the prefix.
func orgFixture(prefix string) (logs []logFile, others map[string][]byte) {
	seed := uint64(1)
	for _, acct := range []string{acctA, acctB, acctC, acctOwn} {
		base := prefix + "AWSLogs/" + orgID + "/"
		if acct == acctOwn {
			base = prefix + "AWSLogs/"
		}
		for _, region := range orgRegions[acct] {
			for _, d := range orgDays {
				for i, at := range orgTimes {
					t := d.Add(at)
					seed++
					logs = append(logs, logFile{
						key:     logKey(base, acct, region, t, fmt.Sprintf("Ab%02d", i)),
						account: acct, region: region, delivered: t,
						data: trailFile(acct, region, t, 3+int(seed%5), seed),
					})
				}
			}
		}
	}
	a := prefix + "AWSLogs/" + orgID + "/" + acctA + "/"
	others = map[string][]byte{
		// Digest and insight folders are never listed.
		a + "CloudTrail-Digest/us-east-1/2024/01/31/" + acctA + "_CloudTrail-Digest_us-east-1_org-trail_us-east-1_20240131T010000Z.json.gz": []byte("digest"),
		a + "CloudTrail-Insight/us-east-1/2024/01/31/" + acctA + "_CloudTrail-Insight_us-east-1_20240131T0100Z_x.json.gz":                   []byte("insight"),
		// Another service's logs in the same AWSLogs folder.
		a + "elasticloadbalancing/us-east-1/2024/01/31/elb.log.gz": []byte("elb"),
		// Met in a listed day folder: skipped without being fetched.
		a + "CloudTrail/us-east-1/2024/01/31/" + acctA + "_CloudTrail-Digest_us-east-1_org-trail_us-east-1_20240131T020000Z.json.gz": []byte("stray digest"),
		a + "CloudTrail/us-east-1/2024/01/31/notes.txt": []byte("not a log"),
		// Between the layout's folders.
		prefix + "AWSLogs/README.md": []byte("readme"),
		// Beside AWSLogs/: not read in the layout.
		prefix + "other/" + acctA + "_CloudTrail_us-east-1_20240131T0100Z_zz.json.gz": []byte("elsewhere"),
	}
	return logs, others
}

// env is a server with a fault proxy in front of it.
type env struct {
	srv   *s3test.Server
	proxy *faultproxy.Proxy
	url   string // the proxy's URL
}

func newEnv(t testing.TB) *env {
	t.Helper()
	srv := s3test.Start(t)
	u, err := url.Parse(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	p := faultproxy.New(u, faultproxy.Options{Seed: 1})
	hs := httptest.NewServer(p)
	t.Cleanup(hs.Close)
	return &env{srv: srv, proxy: p, url: hs.URL}
}

// source returns a Source for uri that talks to the server through the
// proxy, with short retry delays.
func (e *env) source(t testing.TB, uri string, opts s3.Options) *s3.Source {
	t.Helper()
	opts.EndpointURL = e.url
	opts.Credentials = e.srv.Credentials()
	opts.Region = s3test.Region
	if opts.Retry.BaseDelay == 0 {
		opts.Retry.BaseDelay = 5 * time.Millisecond
	}
	if opts.Retry.MaxDelay == 0 {
		opts.Retry.MaxDelay = 50 * time.Millisecond
	}
	src, err := s3.New(context.Background(), uri, opts)
	if err != nil {
		t.Fatalf("New(%s): %v", uri, err)
	}
	return src
}

// listAll runs List and returns the objects in the order they came.
func listAll(t testing.TB, src *s3.Source, f ingest.Filter) []ingest.Object {
	t.Helper()
	var got []ingest.Object
	if err := src.List(context.Background(), f, func(o ingest.Object) error {
		got = append(got, o)
		return nil
	}); err != nil {
		t.Fatalf("List: %v", err)
	}
	return got
}

func keysOf(objs []ingest.Object) []string {
	keys := make([]string, len(objs))
	for i, o := range objs {
		keys[i] = o.Key
	}
	return keys
}

// selects is the filter's rule for a log file, written from its
// documentation: the account and region match, and the file was
// delivered at or after Since and less than MaxDeliveryLag after Until.
func selects(f ingest.Filter, l logFile) bool {
	if len(f.Accounts) > 0 && !slices.Contains(f.Accounts, l.account) {
		return false
	}
	if len(f.Regions) > 0 && !slices.Contains(f.Regions, l.region) {
		return false
	}
	if !f.Since.IsZero() && l.delivered.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && !l.delivered.Add(-ingest.MaxDeliveryLag).Before(f.Until) {
		return false
	}
	return true
}
