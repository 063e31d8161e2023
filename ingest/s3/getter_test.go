package s3_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/ingest/s3"
	"github.com/tailor-sec/tailor/internal/s3test"
)

// recorder is an HTTP client that records the requests it is given and
// answers none of them.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

var errRecorded = errors.New("recorded")

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req)
	return nil, errRecorded
}

// TestGetMatchesSDK checks that a gzip file's GET, which the source sends
// without the SDK's GetObject, goes to the URL the SDK would use for the
// same bucket and options, signed for the same service and region, with
// the same conditions: the SDK's GET of the same key with ".gz" cut off
// is the reference.
func TestGetMatchesSDK(t *testing.T) {
	isolateAWSConfig(t, "", "")
	// A CA bundle needs the SDK's own HTTP client, not the recorder.
	t.Setenv("AWS_CA_BUNDLE", "")
	os.Unsetenv("AWS_CA_BUNDLE")
	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret", SessionToken: "token"}, nil
	})
	tests := []struct {
		name string
		uri  string
		opts s3.Options
		key  string
		host string // of the getter's request
	}{
		{name: "aws-virtual-host", uri: "s3://trail-bucket", opts: s3.Options{Region: "eu-west-1"},
			key: "AWSLogs/x.json", host: "trail-bucket.s3.eu-west-1.amazonaws.com"},
		{name: "aws-path-style", uri: "s3://trail-bucket", opts: s3.Options{Region: "us-east-1", PathStyle: s3.PathStyleOn},
			key: "AWSLogs/x.json", host: "s3.us-east-1.amazonaws.com"},
		{name: "dotted-bucket", uri: "s3://trail.bucket", opts: s3.Options{Region: "us-west-2"},
			key: "AWSLogs/x.json", host: "s3.us-west-2.amazonaws.com"},
		{name: "endpoint-url", uri: "s3://trail", opts: s3.Options{Region: "us-east-1", EndpointURL: "http://127.0.0.1:9/base"},
			key: "AWSLogs/x.json", host: "127.0.0.1:9"},
		{name: "escaped-key", uri: "s3://trail", opts: s3.Options{Region: "us-east-1", EndpointURL: "http://127.0.0.1:9"},
			key: "odd/a b+c=d&e%f ü.json", host: "127.0.0.1:9"},
		{name: "requester-pays", uri: "s3://trail", opts: s3.Options{Region: "us-east-1", RequesterPays: true},
			key: "AWSLogs/x.json", host: "trail.s3.us-east-1.amazonaws.com"},
		{name: "app-id", uri: "s3://trail", opts: s3.Options{Region: "us-east-1", AppID: "tailor-1.2.3"},
			key: "AWSLogs/x.json", host: "trail.s3.us-east-1.amazonaws.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			opts := tt.opts
			opts.HTTPClient, opts.Credentials = rec, creds
			opts.Retry.MaxAttempts = 1
			src, err := s3.New(context.Background(), tt.uri, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{tt.key, tt.key + ".gz"} { // the SDK, then the getter
				if _, err := src.Open(context.Background(), ingest.Object{Key: key, ETag: `"abc"`}); !errors.Is(err, errRecorded) {
					t.Fatalf("open %s: %v, want the recorder's error", key, err)
				}
			}
			if len(rec.reqs) != 2 {
				t.Fatalf("%d requests, want 2", len(rec.reqs))
			}
			sdk, got := rec.reqs[0], rec.reqs[1]
			// The SDK marks its requests with ?x-id=GetObject, which S3
			// ignores.
			if sdk.URL.Query().Get("x-id") != "GetObject" || len(sdk.URL.Query()) != 1 {
				t.Errorf("the SDK's query is %q, want x-id=GetObject alone", sdk.URL.RawQuery)
			}
			sdk.URL.RawQuery = ""
			if want := sdk.URL.String() + ".gz"; got.URL.String() != want {
				t.Errorf("URL %s, want %s", got.URL, want)
			}
			if got.URL.Host != tt.host {
				t.Errorf("host %s, want %s", got.URL.Host, tt.host)
			}
			for _, h := range []string{"If-Match", "X-Amz-Request-Payer", "X-Amz-Security-Token", "X-Amz-Content-Sha256"} {
				if got.Header.Get(h) != sdk.Header.Get(h) {
					t.Errorf("%s: %q, SDK sent %q", h, got.Header.Get(h), sdk.Header.Get(h))
				}
			}
			// Credential=AKID/date/region/service/aws4_request
			scope := func(r *http.Request) string {
				a := r.Header.Get("Authorization")
				i := strings.Index(a, "Credential=")
				if i < 0 {
					return "none: " + a
				}
				return strings.SplitN(strings.SplitN(a[i:], ",", 2)[0], "/", 3)[2]
			}
			if scope(got) != scope(sdk) {
				t.Errorf("signed for %s, SDK for %s", scope(got), scope(sdk))
			}
			// The User-Agent names the SDK and the application as the
			// SDK's does, so that the bucket owner's logs show who read.
			for _, part := range strings.Fields(got.Header.Get("User-Agent")) {
				if !strings.Contains(sdk.Header.Get("User-Agent"), part) {
					t.Errorf("User-Agent part %q is not in the SDK's %q", part, sdk.Header.Get("User-Agent"))
				}
			}
			if app := "app/" + tt.opts.AppID; tt.opts.AppID != "" && !strings.Contains(got.Header.Get("User-Agent"), app) {
				t.Errorf("User-Agent %q lacks %s", got.Header.Get("User-Agent"), app)
			}
			if ae := got.Header.Get("Accept-Encoding"); ae != "identity" {
				t.Errorf("Accept-Encoding %q, want identity: the transport must not inflate the body", ae)
			}
		})
	}
}

// TestGetOddKeys reads objects whose keys need escaping from the real
// server: the path the getter signs must be the one the server checks.
func TestGetOddKeys(t *testing.T) {
	srv := s3test.Start(t)
	srv.CreateBucket(t, "odd")
	keys := []string{"a b+c=d&e.json.gz", "ünïcode/ключ.json.gz", "100%/x;y,z@.json.gz", "tilde~/(paren)!*'.json.gz"}
	for i, k := range keys {
		srv.Put(t, "odd", k, []byte(strings.Repeat(k, i+1)))
	}
	src, err := s3.New(context.Background(), "s3://odd", s3.Options{
		EndpointURL: srv.Endpoint, Credentials: srv.Credentials(), Region: s3test.Region,
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		r, err := src.Open(context.Background(), ingest.Object{Key: k})
		if err != nil {
			t.Errorf("open %q: %v", k, err)
			continue
		}
		got, err := io.ReadAll(r)
		r.Close()
		if want := strings.Repeat(k, i+1); err != nil || string(got) != want {
			t.Errorf("read %q: %q, %v; want %q", k, got, err, want)
		}
	}
}

// TestAdaptiveModeGetsThroughSDK checks that in adaptive retry mode, whose
// client-side rate limit lives in the SDK's retryer, gzip files are
// fetched with the SDK's GetObject (which marks its requests x-id).
func TestAdaptiveModeGetsThroughSDK(t *testing.T) {
	isolateAWSConfig(t, "", "")
	t.Setenv("AWS_CA_BUNDLE", "")
	os.Unsetenv("AWS_CA_BUNDLE")
	for _, mode := range []aws.RetryMode{aws.RetryModeStandard, aws.RetryModeAdaptive} {
		rec := &recorder{}
		src, err := s3.New(context.Background(), "s3://trail", s3.Options{
			Region: "us-east-1", HTTPClient: rec, Credentials: aws.AnonymousCredentials{},
			Retry: s3.RetryOptions{Mode: mode, MaxAttempts: 1},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := src.Open(context.Background(), ingest.Object{Key: "x.json.gz"}); !errors.Is(err, errRecorded) {
			t.Fatalf("%s: open: %v, want the recorder's error", mode, err)
		}
		if len(rec.reqs) != 1 {
			t.Fatalf("%s: %d requests, want 1", mode, len(rec.reqs))
		}
		if viaSDK := rec.reqs[0].URL.Query().Get("x-id") == "GetObject"; viaSDK != (mode == aws.RetryModeAdaptive) {
			t.Errorf("%s: GET through the SDK = %v", mode, viaSDK)
		}
		if a := rec.reqs[0].Header.Get("Authorization"); a != "" {
			t.Errorf("%s: anonymous request signed: %q", mode, a)
		}
	}
}
