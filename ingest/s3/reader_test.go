package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/ingest/s3"
	"github.com/tailor-sec/tailor/internal/faultproxy"
)

// objects are the reader tests' objects: gzipped logs of a few sizes and
// incompressible bytes, keyed by name in bucket "data".
func readerEnv(t *testing.T) (*env, map[string][]byte) {
	t.Helper()
	e := newEnv(t)
	e.srv.CreateBucket(t, "data")
	rng := rand.New(rand.NewPCG(3, 4))
	noise := make([]byte, 300_000)
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	objs := map[string][]byte{
		"small.json.gz": trailFile(acctA, "us-east-1", day(2024, 1, 31), 2, 1),
		"large.json.gz": trailFile(acctA, "us-east-1", day(2024, 1, 31), 2000, 2),
		"noise.gz":      noise,
		"empty.json":    {},
		"plain.json":    gunzip(t, trailFile(acctA, "us-east-1", day(2024, 1, 31), 200, 5)),
	}
	for k, v := range objs {
		e.srv.Put(t, "data", k, v)
	}
	e.proxy.ResetLog()
	return e, objs
}

// objectOf lists the source and returns the object for key, as List
// gives it (with its ETag).
func objectOf(t *testing.T, src *s3.Source, key string) ingest.Object {
	t.Helper()
	for _, o := range listAll(t, src, ingest.Filter{}) {
		if o.Key == key {
			return o
		}
	}
	t.Fatalf("%s not listed", key)
	return ingest.Object{}
}

func readObject(t *testing.T, src *s3.Source, obj ingest.Object) ([]byte, error) {
	t.Helper()
	r, err := src.Open(context.Background(), obj)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func TestOpenStreamsIdenticalBytes(t *testing.T) {
	e, objs := readerEnv(t)
	src := e.source(t, "s3://data", s3.Options{MaxConcurrentGETs: 2})
	all := listAll(t, src, ingest.Filter{})
	if len(all) != len(objs) {
		t.Fatalf("listed %d objects, want %d", len(all), len(objs))
	}
	var wg sync.WaitGroup
	for _, o := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := readObject(t, src, o)
			if err != nil || !bytes.Equal(got, objs[o.Key]) {
				t.Errorf("%s: read %d bytes, err %v; want %d bytes", o.Key, len(got), err, len(objs[o.Key]))
			}
		}()
	}
	wg.Wait()
	for k := range objs {
		if n := e.proxy.Count(faultproxy.OpGetObject, "data/"+k); n != 1 {
			t.Errorf("%s fetched %d times, want once", k, n)
		}
	}
}

func TestOpenSurvivesFaults(t *testing.T) {
	e, objs := readerEnv(t)
	const key = "large.json.gz"
	size := int64(len(objs[key]))
	tests := []struct {
		name  string
		rules []faultproxy.Rule
		opts  s3.Options
		// wantRanges are the Range headers of the GETs the proxy saw, in
		// order ("" for none).
		wantRanges []string
		maxTime    time.Duration
	}{
		{
			name:       "cut-mid-body",
			rules:      []faultproxy.Rule{{Op: faultproxy.OpGetObject, Nth: 1, Fault: faultproxy.CutAfter(10_000)}},
			wantRanges: []string{"", "bytes=10000-"},
		},
		{
			name:       "cut-three-times",
			rules:      []faultproxy.Rule{{Op: faultproxy.OpGetObject, Times: 3, Fault: faultproxy.CutAfter(7_000)}},
			wantRanges: []string{"", "bytes=7000-", "bytes=14000-", "bytes=21000-"},
		},
		{
			name:       "cut-before-body",
			rules:      []faultproxy.Rule{{Op: faultproxy.OpGetObject, Nth: 1, Fault: faultproxy.CutAfter(0)}},
			wantRanges: []string{"", ""},
		},
		{
			name:       "cut-one-byte-short",
			rules:      []faultproxy.Rule{{Op: faultproxy.OpGetObject, Nth: 1, Fault: faultproxy.CutAfter(size - 1)}},
			wantRanges: []string{"", fmt.Sprintf("bytes=%d-", size-1)},
		},
		{
			name:       "slowdown-twice",
			rules:      []faultproxy.Rule{{Op: faultproxy.OpGetObject, Times: 2, Fault: faultproxy.SlowDown()}},
			wantRanges: []string{"", "", ""},
		},
		{
			name:       "internal-error",
			rules:      []faultproxy.Rule{{Op: faultproxy.OpGetObject, Times: 1, Fault: faultproxy.InternalError()}},
			wantRanges: []string{"", ""},
		},
		{
			name: "slowdown-on-resume",
			rules: []faultproxy.Rule{
				{Op: faultproxy.OpGetObject, Nth: 1, Fault: faultproxy.CutAfter(5_000)},
				{Op: faultproxy.OpGetObject, Nth: 1, Fault: faultproxy.SlowDown()},
			},
			// The second rule sees the GETs the first passes on and
			// throttles the first of them: the resumed GET, which the SDK
			// sends again.
			wantRanges: []string{"", "bytes=5000-", "bytes=5000-"},
		},
		{
			name:       "stall-mid-body",
			rules:      []faultproxy.Rule{{Op: faultproxy.OpGetObject, Nth: 1, Fault: faultproxy.StallAfter(20_000, 5*time.Second)}},
			opts:       s3.Options{Retry: s3.RetryOptions{ReadTimeout: 200 * time.Millisecond}},
			wantRanges: []string{"", "bytes=20000-"},
			maxTime:    3 * time.Second,
		},
		{
			name:       "no-headers-within-timeout",
			rules:      []faultproxy.Rule{{Op: faultproxy.OpGetObject, Nth: 1, Fault: faultproxy.DelayBy(3 * time.Second)}},
			opts:       s3.Options{Retry: s3.RetryOptions{ReadTimeout: 200 * time.Millisecond}},
			wantRanges: []string{"", ""}, // the SDK retries the GET that timed out
			maxTime:    2 * time.Second,
		},
		{
			name:       "slow-answer-within-timeout",
			rules:      []faultproxy.Rule{{Op: faultproxy.OpGetObject, Nth: 1, Fault: faultproxy.DelayBy(300 * time.Millisecond)}},
			opts:       s3.Options{Retry: s3.RetryOptions{ReadTimeout: time.Second}},
			wantRanges: []string{""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := e.source(t, "s3://data", tt.opts)
			obj := objectOf(t, src, key)
			e.proxy.ResetLog()
			e.proxy.SetRules(tt.rules...)
			defer e.proxy.SetRules()
			t0 := time.Now()
			got, err := readObject(t, src, obj)
			if err != nil || !bytes.Equal(got, objs[key]) {
				t.Fatalf("read %d bytes, err %v; want %d identical bytes", len(got), err, size)
			}
			if tt.maxTime > 0 && time.Since(t0) > tt.maxTime {
				t.Errorf("took %v, want under %v", time.Since(t0), tt.maxTime)
			}
			gets := e.proxy.Entries(faultproxy.OpGetObject)
			var ranges []string
			for _, g := range gets {
				ranges = append(ranges, g.Header.Get("Range"))
				if im := g.Header.Get("If-Match"); im != obj.ETag {
					t.Errorf("GET with If-Match %q, want the listed ETag %q", im, obj.ETag)
				}
			}
			if strings.Join(ranges, ",") != strings.Join(tt.wantRanges, ",") {
				t.Errorf("GET ranges %q, want %q", ranges, tt.wantRanges)
			}
		})
	}
}

func TestOpenPermanentErrors(t *testing.T) {
	e, objs := readerEnv(t)
	tests := []struct {
		name     string
		key      string
		etag     string
		rule     *faultproxy.Rule
		opts     s3.Options
		wantErr  error
		wantMsg  string
		wantGETs int
	}{
		{name: "no-such-key", key: "missing.json.gz", wantErr: s3.ErrNoSuchKey,
			wantMsg: "s3: get s3://data/missing.json.gz: no such key: NoSuchKey: ", wantGETs: 1},
		{name: "access-denied", key: "small.json.gz",
			rule:    &faultproxy.Rule{Op: faultproxy.OpGetObject, Fault: faultproxy.S3Error(403, "AccessDenied", "Access Denied")},
			wantErr: s3.ErrAccessDenied, wantMsg: "s3: get s3://data/small.json.gz: access denied: AccessDenied: Access Denied", wantGETs: 1},
		{name: "changed-since-listed", key: "small.json.gz", etag: `"0123456789abcdef0123456789abcdef"`,
			wantErr: s3.ErrChanged, wantMsg: "s3: get s3://data/small.json.gz: object changed since it was listed: PreconditionFailed", wantGETs: 1},
		{name: "archived", key: "small.json.gz",
			rule:    &faultproxy.Rule{Op: faultproxy.OpGetObject, Fault: faultproxy.S3Error(403, "InvalidObjectState", "The operation is not valid for the object's storage class")},
			wantErr: s3.ErrArchived, wantMsg: "s3: get s3://data/small.json.gz: object is archived: InvalidObjectState", wantGETs: 1},
		{name: "throttled-past-attempts", key: "small.json.gz",
			rule:    &faultproxy.Rule{Op: faultproxy.OpGetObject, Fault: faultproxy.SlowDown()},
			opts:    s3.Options{Retry: s3.RetryOptions{MaxAttempts: 3}},
			wantMsg: "s3: get s3://data/small.json.gz: SlowDown: Please reduce your request rate.", wantGETs: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.proxy.ResetLog()
			e.proxy.SetRules()
			if tt.rule != nil {
				e.proxy.SetRules(*tt.rule)
			}
			src := e.source(t, "s3://data", tt.opts)
			_, err := readObject(t, src, ingest.Object{Key: tt.key, Size: int64(len(objs[tt.key])), ETag: tt.etag})
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			var se *s3.Error
			if !errors.As(err, &se) || se.Bucket != "data" || se.Key != tt.key {
				t.Errorf("err = %#v, want an *s3.Error for data/%s", err, tt.key)
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantMsg) {
				t.Errorf("message %q\nwant prefix %q", err, tt.wantMsg)
			}
			if n := e.proxy.Count(faultproxy.OpGetObject, ""); n != tt.wantGETs {
				t.Errorf("sent %d GETs, want %d", n, tt.wantGETs)
			}
		})
	}
}

func TestReadGivesUpWithoutProgress(t *testing.T) {
	e, _ := readerEnv(t)
	src := e.source(t, "s3://data", s3.Options{Retry: s3.RetryOptions{MaxAttempts: 3}})
	obj := objectOf(t, src, "noise.gz")
	e.proxy.ResetLog()
	// Every answer after the first breaks before its first byte.
	e.proxy.SetRules(faultproxy.Rule{Op: faultproxy.OpGetObject, Nth: 1, Fault: faultproxy.CutAfter(1000)},
		faultproxy.Rule{Op: faultproxy.OpGetObject, Fault: faultproxy.CutAfter(0)})
	got, err := readObject(t, src, obj)
	if !errors.Is(err, s3.ErrGiveUp) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want ErrGiveUp wrapping io.ErrUnexpectedEOF", err)
	}
	if len(got) != 1000 {
		t.Errorf("read %d bytes before giving up, want the 1000 delivered", len(got))
	}
	// The first GET, then 3 resumes.
	if n := e.proxy.Count(faultproxy.OpGetObject, ""); n != 4 {
		t.Errorf("sent %d GETs, want 4", n)
	}
}

func TestObjectChangedMidRead(t *testing.T) {
	e, objs := readerEnv(t)
	src := e.source(t, "s3://data", s3.Options{})
	obj := objectOf(t, src, "noise.gz")
	e.proxy.SetRules(faultproxy.Rule{Op: faultproxy.OpGetObject, Nth: 1, Fault: faultproxy.CutAfter(50_000)})
	r, err := src.Open(context.Background(), obj)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	head := make([]byte, 10_000)
	if _, err := io.ReadFull(r, head); err != nil {
		t.Fatal(err)
	}
	// Replace the object while the reader holds its first part.
	e.srv.Put(t, "data", "noise.gz", []byte("replaced"))
	rest, err := io.ReadAll(r)
	if !errors.Is(err, s3.ErrChanged) {
		t.Errorf("err = %v, want ErrChanged", err)
	}
	if got := append(head, rest...); !bytes.Equal(got, objs["noise.gz"][:len(got)]) || len(got) != 50_000 {
		t.Errorf("read %d bytes before the change was seen, want the 50000 of the old object", len(got))
	}
}

func TestRequesterPays(t *testing.T) {
	e, _ := readerEnv(t)
	for _, pays := range []bool{false, true} {
		t.Run(fmt.Sprint(pays), func(t *testing.T) {
			e.proxy.ResetLog()
			src := e.source(t, "s3://data", s3.Options{RequesterPays: pays})
			if _, err := readObject(t, src, objectOf(t, src, "small.json.gz")); err != nil {
				t.Fatal(err)
			}
			log := e.proxy.Log()
			if len(log) < 2 {
				t.Fatalf("proxy saw %d requests", len(log))
			}
			for _, en := range log {
				h := en.Header.Get("X-Amz-Request-Payer")
				if pays && h != "requester" || !pays && h != "" {
					t.Errorf("%s %s: x-amz-request-payer %q with RequesterPays %v", en.Op, en.Key, h, pays)
				}
			}
		})
	}
}

func TestOpenBoundsConcurrentGETs(t *testing.T) {
	e, _ := readerEnv(t)
	src := e.source(t, "s3://data", s3.Options{MaxConcurrentGETs: 2})
	obj := objectOf(t, src, "small.json.gz")
	ctx := context.Background()
	r1, err := src.Open(ctx, obj)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := src.Open(ctx, obj)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := src.Open(short, obj); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("third Open with two open: err = %v, want it to wait until the deadline", err)
	}
	r1.Close()
	r1.Close() // a second Close frees nothing more
	r3, err := src.Open(ctx, obj)
	if err != nil {
		t.Fatalf("Open after a Close: %v", err)
	}
	short2, cancel2 := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel2()
	if _, err := src.Open(short2, obj); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("double Close freed two places: err = %v", err)
	}
	r2.Close()
	r3.Close()
}

func TestReadStopsOnCancel(t *testing.T) {
	e, _ := readerEnv(t)
	src := e.source(t, "s3://data", s3.Options{})
	obj := objectOf(t, src, "noise.gz")
	e.proxy.ResetLog()
	e.proxy.SetRules(faultproxy.Rule{Op: faultproxy.OpGetObject, Fault: faultproxy.StallAfter(1000, 5*time.Second)})
	ctx, cancel := context.WithCancel(context.Background())
	r, err := src.Open(ctx, obj)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	time.AfterFunc(100*time.Millisecond, cancel)
	t0 := time.Now()
	_, err = io.ReadAll(r)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if time.Since(t0) > 2*time.Second {
		t.Errorf("read returned %v after cancel", time.Since(t0))
	}
	if n := e.proxy.Count(faultproxy.OpGetObject, ""); n != 1 {
		t.Errorf("sent %d GETs, want 1: a cancelled read must not resume", n)
	}
}

// TestCorruptBody checks that the SDK's checksum catches a flipped byte in
// an object that is not gzip (gzip files check themselves: see
// TestCorruptGzipCaught).
func TestCorruptBody(t *testing.T) {
	e, objs := readerEnv(t)
	src := e.source(t, "s3://data", s3.Options{})
	obj := objectOf(t, src, "plain.json")
	e.proxy.ResetLog()
	// The whole-object GET carries the checksum the SDK checks.
	e.proxy.SetRules(faultproxy.Rule{Op: faultproxy.OpGetObject, Fault: faultproxy.CorruptAt(1000)})
	got, err := readObject(t, src, obj)
	if !errors.Is(err, s3.ErrCorrupt) {
		t.Fatalf("read %d bytes, err %v; want ErrCorrupt", len(got), err)
	}
	if !strings.HasPrefix(err.Error(), "s3: read s3://data/plain.json: object does not match its checksum: checksum did not match") {
		t.Errorf("message %q", err)
	}
	if len(got) != len(objs[obj.Key]) {
		t.Errorf("read %d bytes before the check, want all %d", len(got), len(objs[obj.Key]))
	}
	if n := e.proxy.Count(faultproxy.OpGetObject, ""); n != 1 {
		t.Errorf("sent %d GETs, want 1: a failed checksum is not resumed", n)
	}
}

// TestCorruptGzipCaught checks that a gzip object corrupted on the way,
// which the SDK is not asked to check, is reported by ingest as a bad
// file, wherever the flipped byte is: in the header, the compressed data,
// the trailer's CRC-32 or its length. A flip in the middle of the data may
// first garble the JSON the decoder reads, which it reports as a syntax
// error before the CRC-32 is reached; elsewhere the gzip reader catches it.
func TestCorruptGzipCaught(t *testing.T) {
	e, objs := readerEnv(t)
	const key = "large.json.gz"
	size := int64(len(objs[key]))
	src := e.source(t, "s3://data/"+key, s3.Options{})
	tests := []struct {
		name string
		at   int64
		want string // in the problem's message
	}{
		{name: "header", at: 3, want: "gunzip"}, // the flags byte
		{name: "data-start", at: 20, want: "gunzip"},
		{name: "data-middle", at: size / 2, want: "s3://data/" + key},
		{name: "last-data-byte", at: size - 9, want: "gunzip"},
		{name: "crc32", at: size - 8, want: "gunzip: gzip: invalid checksum"},
		{name: "length", at: size - 1, want: "gunzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.proxy.ResetLog()
			e.proxy.SetRules(faultproxy.Rule{Op: faultproxy.OpGetObject, Fault: faultproxy.CorruptAt(tt.at)})
			var records countSink
			res, err := ingest.Run(context.Background(), []ingest.Source{src}, ingest.Options{
				Workers: 1,
				NewSink: func(int) ingest.Sink { return &records },
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Problems) != 1 {
				t.Fatalf("problems %v, want one for %s", res.Problems, key)
			}
			p := res.Problems[0]
			if p.Path != "s3://data/"+key || !strings.Contains(p.Error(), tt.want) {
				t.Errorf("problem %q at %s, want one at s3://data/%s containing %q", p, p.Path, key, tt.want)
			}
			if n := e.proxy.Count(faultproxy.OpGetObject, ""); n != 1 {
				t.Errorf("sent %d GETs, want 1", n)
			}
		})
	}
}

// countSink counts the events it receives.
type countSink int

func (c *countSink) Add(*tailor.Event, bool) { *c++ }

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
