package faultproxy_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/internal/faultproxy"
)

// backend serves a fixed body for every object path and echoes the Host
// header it received.
func backend(t *testing.T, body []byte) *url.URL {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Seen-Host", r.Host)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func start(t *testing.T, body []byte, seed uint64) (*faultproxy.Proxy, string) {
	t.Helper()
	p := faultproxy.New(backend(t, body), faultproxy.Options{Seed: seed})
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv.URL
}

// get fetches url with a fresh connection and returns status, body and the
// error reading the body.
func get(t *testing.T, u string) (int, []byte, error) {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("get %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func TestFaults(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789"), 1000)
	tests := []struct {
		name       string
		fault      faultproxy.Fault
		wantStatus int
		wantCode   string // S3 error code in the XML body
		wantBytes  int    // body bytes received
		wantErr    error  // error reading the body
		minTime    time.Duration
		// wantCorrupt is the offset of the one flipped byte; 0 for none.
		wantCorrupt int
	}{
		{name: "none", fault: faultproxy.Fault{}, wantStatus: 200, wantBytes: len(body)},
		{name: "slowdown", fault: faultproxy.SlowDown(), wantStatus: 503, wantCode: "SlowDown"},
		{name: "internal", fault: faultproxy.InternalError(), wantStatus: 500, wantCode: "InternalError"},
		{name: "denied", fault: faultproxy.S3Error(403, "AccessDenied", "Access Denied"), wantStatus: 403, wantCode: "AccessDenied"},
		{name: "cut", fault: faultproxy.CutAfter(1234), wantStatus: 200, wantBytes: 1234, wantErr: io.ErrUnexpectedEOF},
		{name: "cut-at-zero", fault: faultproxy.CutAfter(0), wantStatus: 200, wantBytes: 0, wantErr: io.ErrUnexpectedEOF},
		{name: "corrupt", fault: faultproxy.CorruptAt(5), wantStatus: 200, wantBytes: len(body), wantCorrupt: 5},
		{name: "stall", fault: faultproxy.StallAfter(100, 150*time.Millisecond), wantStatus: 200, wantBytes: len(body), minTime: 150 * time.Millisecond},
		{name: "delay", fault: faultproxy.DelayBy(150 * time.Millisecond), wantStatus: 200, wantBytes: len(body), minTime: 150 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, base := start(t, body, 1)
			p.SetRules(faultproxy.Rule{Fault: tt.fault})
			t0 := time.Now()
			status, got, err := get(t, base+"/bucket/some/key.json.gz")
			elapsed := time.Since(t0)
			if status != tt.wantStatus {
				t.Errorf("status = %d, want %d", status, tt.wantStatus)
			}
			if tt.wantCode != "" {
				var e struct{ Code, Message, Resource string }
				if err := xml.Unmarshal(got, &e); err != nil {
					t.Fatalf("error body %q: %v", got, err)
				}
				if e.Code != tt.wantCode || e.Resource != "/bucket/some/key.json.gz" {
					t.Errorf("error body = %+v, want code %s", e, tt.wantCode)
				}
				return
			}
			want := bytes.Clone(body[:min(len(got), len(body))])
			if tt.wantCorrupt > 0 {
				want[tt.wantCorrupt] ^= 0xff
			}
			if len(got) != tt.wantBytes || !bytes.Equal(got, want) {
				t.Errorf("got %d bytes (as expected: %v), want %d", len(got), bytes.Equal(got, want), tt.wantBytes)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("read error = %v, want %v", err, tt.wantErr)
			}
			if elapsed < tt.minTime {
				t.Errorf("took %v, want at least %v", elapsed, tt.minTime)
			}
			log := p.Log()
			if len(log) != 1 || log[0].Fault != tt.fault.Kind || log[0].Status != tt.wantStatus {
				t.Errorf("log = %+v", log)
			}
		})
	}
}

func TestRuleSelection(t *testing.T) {
	body := []byte("hello")
	tests := []struct {
		name  string
		rule  faultproxy.Rule
		paths []string
		want  []int // status per request
	}{
		{
			name:  "nth",
			rule:  faultproxy.Rule{Nth: 2, Fault: faultproxy.SlowDown()},
			paths: []string{"/b/k", "/b/k", "/b/k"},
			want:  []int{200, 503, 200},
		},
		{
			name:  "times",
			rule:  faultproxy.Rule{Times: 2, Fault: faultproxy.InternalError()},
			paths: []string{"/b/k", "/b/k", "/b/k"},
			want:  []int{500, 500, 200},
		},
		{
			name:  "key-glob-crosses-slash",
			rule:  faultproxy.Rule{Key: "AWSLogs/*/2024/*.gz", Fault: faultproxy.SlowDown()},
			paths: []string{"/b/AWSLogs/1/CloudTrail/2024/x.json.gz", "/b/AWSLogs/1/CloudTrail/2023/x.json.gz", "/b/AWSLogs/2024/x.json"},
			want:  []int{503, 200, 200},
		},
		{
			name:  "bucket",
			rule:  faultproxy.Rule{Bucket: "other", Fault: faultproxy.SlowDown()},
			paths: []string{"/b/k", "/other/k"},
			want:  []int{200, 503},
		},
		{
			name:  "op-list-only",
			rule:  faultproxy.Rule{Op: faultproxy.OpListObjects, Fault: faultproxy.SlowDown()},
			paths: []string{"/b/k", "/b?list-type=2&prefix=AWSLogs%2F", "/b/"},
			want:  []int{200, 503, 503},
		},
		{
			name: "match-func",
			rule: faultproxy.Rule{Match: func(r *http.Request) bool { return r.URL.Query().Get("prefix") == "x/" },
				Fault: faultproxy.SlowDown()},
			paths: []string{"/b?list-type=2&prefix=x%2F", "/b?list-type=2&prefix=y%2F"},
			want:  []int{503, 200},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, base := start(t, body, 1)
			p.SetRules(tt.rule)
			for i, path := range tt.paths {
				status, _, _ := get(t, base+path)
				if status != tt.want[i] {
					t.Errorf("request %d %s: status %d, want %d", i+1, path, status, tt.want[i])
				}
			}
		})
	}
}

func TestFirstRuleWins(t *testing.T) {
	p, base := start(t, []byte("x"), 1)
	p.SetRules(
		faultproxy.Rule{Key: "a", Times: 1, Fault: faultproxy.S3Error(404, "NoSuchKey", "")},
		faultproxy.Rule{Fault: faultproxy.SlowDown()},
	)
	var got []int
	for _, path := range []string{"/b/a", "/b/a", "/b/c"} {
		s, _, _ := get(t, base+path)
		got = append(got, s)
	}
	want := []int{404, 503, 503}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statuses = %v, want %v", got, want)
		}
	}
}

func TestProbabilityIsSeeded(t *testing.T) {
	const n = 400
	run := func(seed uint64) []int {
		p, base := start(t, []byte("x"), seed)
		p.SetRules(faultproxy.Rule{Probability: 0.25, Fault: faultproxy.SlowDown()})
		var faulted []int
		c := &http.Client{} // keep-alive: many requests, no cuts
		for i := 0; i < n; i++ {
			resp, err := c.Get(base + "/b/k")
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 503 {
				faulted = append(faulted, i)
			}
		}
		return faulted
	}
	a, b, c := run(7), run(7), run(8)
	if !equalInts(a, b) {
		t.Errorf("same seed injected at different requests:\n%v\n%v", a, b)
	}
	if equalInts(a, c) {
		t.Errorf("different seeds injected at the same requests")
	}
	// 25% of 400 is 100; the binomial standard deviation is about 8.7.
	if len(a) < 60 || len(a) > 140 {
		t.Errorf("injected %d of %d at p=0.25", len(a), n)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLogAndCounts(t *testing.T) {
	p, base := start(t, []byte("x"), 1)
	reqs := []struct{ method, path string }{
		{"GET", "/bkt?list-type=2&prefix=AWSLogs%2F&delimiter=%2F"},
		{"GET", "/bkt/AWSLogs/k1.json.gz?x-id=GetObject"},
		{"GET", "/bkt/AWSLogs/k1.json.gz?x-id=GetObject"},
		{"GET", "/bkt/AWSLogs/k2.json.gz"},
		{"HEAD", "/bkt/AWSLogs/k2.json.gz"},
		{"PUT", "/bkt/AWSLogs/k3.json.gz"},
		{"PUT", "/bkt"},
		{"GET", "/bkt?location"},
	}
	c := &http.Client{}
	for _, r := range reqs {
		req, err := http.NewRequest(r.method, base+r.path, strings.NewReader(""))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Request-Payer", "requester")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	counts := []struct {
		op   faultproxy.Op
		key  string
		want int
	}{
		{faultproxy.OpListObjects, "", 1},
		{faultproxy.OpGetObject, "", 3},
		{faultproxy.OpGetObject, "bkt/AWSLogs/k1.json.gz", 2},
		{faultproxy.OpGetObject, "bkt/AWSLogs/k2.json.gz", 1},
		{faultproxy.OpHeadObject, "", 1},
		{faultproxy.OpPutObject, "bkt/AWSLogs/k3.json.gz", 1},
		{faultproxy.OpCreateBucket, "bkt", 1},
		{faultproxy.OpOther, "", 1},
	}
	for _, tt := range counts {
		if got := p.Count(tt.op, tt.key); got != tt.want {
			t.Errorf("Count(%s, %q) = %d, want %d", tt.op, tt.key, got, tt.want)
		}
	}
	keys := p.Keys(faultproxy.OpGetObject)
	if len(keys) != 2 || keys["bkt/AWSLogs/k1.json.gz"] != 2 {
		t.Errorf("Keys(GetObject) = %v", keys)
	}
	lists := p.Entries(faultproxy.OpListObjects)
	if len(lists) != 1 || lists[0].Query.Get("prefix") != "AWSLogs/" || lists[0].Query.Get("delimiter") != "/" {
		t.Errorf("list entries = %+v", lists)
	}
	log := p.Log()
	for i, e := range log {
		if e.Seq != i+1 || e.Header.Get("X-Amz-Request-Payer") != "requester" || e.Status != 200 {
			t.Errorf("entry %d = %+v", i, e)
		}
	}
	p.ResetLog()
	if n := len(p.Log()); n != 0 {
		t.Errorf("after ResetLog: %d entries", n)
	}
}

func TestHostIsKept(t *testing.T) {
	_, base := start(t, []byte("x"), 1)
	resp, err := http.Get(base + "/b/k")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := strings.TrimPrefix(base, "http://")
	if got := resp.Header.Get("X-Seen-Host"); got != want {
		t.Errorf("upstream saw Host %q, want the proxy's %q", got, want)
	}
}
