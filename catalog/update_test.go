package catalog_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/internal/shareddata"
)

// refServer serves a service reference directory the way AWS does: the
// index at / with absolute URLs (rewritten to the server), each service at
// /v1/<service>/<service>.json.
type refServer struct {
	*httptest.Server
	dir      string
	services []string
	// hook, when set, runs before a service file is served; returning
	// true means it answered.
	hook func(w http.ResponseWriter, service string) bool

	inFlight, maxInFlight atomic.Int32
	requests              atomic.Int32
}

func newRefServer(t *testing.T, dir string) *refServer {
	t.Helper()
	s := &refServer{dir: dir}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".json")
		if e.IsDir() || name != e.Name() && e.Name() != catalog.IndexFile {
			s.services = append(s.services, name)
		}
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *refServer) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		m := s.maxInFlight.Load()
		if n <= m || s.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	if r.URL.Path == "/" {
		var index []map[string]string
		for _, svc := range s.services {
			index = append(index, map[string]string{"service": svc, "url": s.URL + "/v1/" + svc + "/" + svc + ".json"})
		}
		json.NewEncoder(w).Encode(index)
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v1/"), "/")
	if len(parts) != 2 || parts[1] != parts[0]+".json" {
		http.NotFound(w, r)
		return
	}
	svc := parts[0]
	if s.hook != nil && s.hook(w, svc) {
		return
	}
	for _, p := range []string{filepath.Join(s.dir, svc, svc+".json"), filepath.Join(s.dir, svc+".json")} {
		if b, err := os.ReadFile(p); err == nil {
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
			w.Write(b)
			return
		}
	}
	http.NotFound(w, r)
}

var fixedNow = func() time.Time { return time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC) }

func TestUpdate(t *testing.T) {
	srv := newRefServer(t, filepath.Join("testdata", "servicereference", "nested"))
	cache := filepath.Join(t.TempDir(), "tailor", "catalog")
	var progress []int
	var mu sync.Mutex
	c, err := catalog.Update(context.Background(), catalog.UpdateOptions{
		URL: srv.URL + "/", CacheDir: cache, Concurrency: 2, Now: fixedNow,
		Progress: func(done, total int) {
			mu.Lock()
			progress = append(progress, done)
			mu.Unlock()
			if total != 5 {
				t.Errorf("progress total %d, want 5", total)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Source() != cache || !c.Date().Equal(fixedNow()) || len(c.Services()) != 5 || !c.HasOperations() {
		t.Errorf("catalog %s dated %v: %d services, operations %v", c.Source(), c.Date(), len(c.Services()), c.HasOperations())
	}
	if len(progress) != 5 || progress[4] != 5 {
		t.Errorf("progress %v", progress)
	}
	if m := srv.maxInFlight.Load(); m > 2 {
		t.Errorf("%d requests at once, want at most 2", m)
	}
	for _, f := range []string{catalog.IndexFile, catalog.StampFile, "s3/s3.json", "sts/sts.json"} {
		if _, err := os.Stat(filepath.Join(cache, f)); err != nil {
			t.Errorf("cache lacks %s: %v", f, err)
		}
	}
	// Load now prefers the cache.
	l, err := catalog.Load(catalog.Options{CacheDir: cache})
	if err != nil || l.Source() != cache || l.Len() != c.Len() {
		t.Errorf("Load after update: %v, %v", l, err)
	}

	// A second update replaces the first, atomically: no temporary or old
	// directories are left.
	srv.services = []string{"s3", "sts"}
	c2, err := catalog.Update(context.Background(), catalog.UpdateOptions{URL: srv.URL + "/", CacheDir: cache, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(c2.Services()) != 2 {
		t.Errorf("second update: %v", c2.Services())
	}
	if _, err := os.Stat(filepath.Join(cache, "demo")); !os.IsNotExist(err) {
		t.Errorf("old file left behind: %v", err)
	}
	assertOnly(t, filepath.Dir(cache), "catalog")
}

// assertOnly checks that dir holds exactly the named entries.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if fmt.Sprint(got) != fmt.Sprint(names) {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}

func TestUpdateFailures(t *testing.T) {
	nested := filepath.Join("testdata", "servicereference", "nested")
	tests := []struct {
		name    string
		hook    func(w http.ResponseWriter, service string) bool
		opts    catalog.UpdateOptions
		url     string // path on the server; "" is /
		want    error
		wantMsg string
	}{
		{name: "not found", hook: func(w http.ResponseWriter, svc string) bool {
			if svc == "sts" {
				http.Error(w, "gone", http.StatusNotFound)
				return true
			}
			return false
		}, wantMsg: "404"},
		{name: "server error persists", hook: func(w http.ResponseWriter, svc string) bool {
			if svc == "iam" {
				http.Error(w, "boom", http.StatusInternalServerError)
				return true
			}
			return false
		}, opts: catalog.UpdateOptions{Retries: 1}, wantMsg: "500"},
		{name: "malformed file", hook: func(w http.ResponseWriter, svc string) bool {
			if svc == "s3" {
				w.Write([]byte(`{"Name": "s3", "Actions": [`))
				return true
			}
			return false
		}, wantMsg: "s3.json"},
		{name: "wrong service", hook: func(w http.ResponseWriter, svc string) bool {
			if svc == "s3" {
				w.Write([]byte(`{"Name": "ec2", "Actions": []}`))
				return true
			}
			return false
		}, want: catalog.ErrInvalid},
		{name: "too large", opts: catalog.UpdateOptions{MaxFileSize: 100}, want: catalog.ErrTooLarge},
		{name: "timeout", hook: func(w http.ResponseWriter, svc string) bool {
			if svc == "demo" {
				time.Sleep(500 * time.Millisecond)
			}
			return false
		}, opts: catalog.UpdateOptions{Timeout: 50 * time.Millisecond, Retries: -1}, want: context.DeadlineExceeded},
		{name: "bad index", url: "/v1/s3/s3.json", want: catalog.ErrBadIndex},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newRefServer(t, nested)
			srv.hook = tt.hook
			parent := t.TempDir()
			cache := filepath.Join(parent, "catalog")
			// An existing cache that must survive the failed update.
			copyDir(t, nested, cache)
			os.WriteFile(filepath.Join(cache, catalog.StampFile), []byte(`{"fetched":"2026-01-01T00:00:00Z"}`), 0o644)

			opts := tt.opts
			opts.URL, opts.CacheDir, opts.Now = srv.URL+tt.url, cache, fixedNow
			if tt.url == "" {
				opts.URL = srv.URL + "/"
			}
			c, err := catalog.Update(context.Background(), opts)
			if err == nil {
				t.Fatalf("updated to %d services, want an error", len(c.Services()))
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tt.wantMsg)
			}
			old, err := catalog.Load(catalog.Options{CacheDir: cache})
			if err != nil || old.Date().Year() != 2026 || old.Date().Month() != 1 {
				t.Errorf("old cache damaged: %v, %v", old, err)
			}
			assertOnly(t, parent, "catalog")
		})
	}
}

func TestUpdateRetries(t *testing.T) {
	srv := newRefServer(t, filepath.Join("testdata", "servicereference", "nested"))
	var failed atomic.Bool
	srv.hook = func(w http.ResponseWriter, svc string) bool {
		if svc == "s3" && failed.CompareAndSwap(false, true) {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return true
		}
		return false
	}
	c, err := catalog.Update(context.Background(), catalog.UpdateOptions{URL: srv.URL + "/", CacheDir: filepath.Join(t.TempDir(), "catalog")})
	if err != nil {
		t.Fatal(err)
	}
	if !failed.Load() || len(c.Services()) != 5 {
		t.Errorf("failed once %v, %d services", failed.Load(), len(c.Services()))
	}
	if n := srv.requests.Load(); n != 7 { // index, 5 files, 1 retry
		t.Errorf("%d requests, want 7", n)
	}
}

func TestUpdateCancel(t *testing.T) {
	srv := newRefServer(t, filepath.Join("testdata", "servicereference", "nested"))
	ctx, cancel := context.WithCancel(context.Background())
	srv.hook = func(w http.ResponseWriter, svc string) bool {
		cancel()
		time.Sleep(50 * time.Millisecond)
		return false
	}
	parent := t.TempDir()
	_, err := catalog.Update(ctx, catalog.UpdateOptions{URL: srv.URL + "/", CacheDir: filepath.Join(parent, "catalog"), Concurrency: 1})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	assertOnly(t, parent)
}

// TestUpdateShared serves the real copy of AWS's files (466 services) and
// checks the update reproduces what LoadServiceReference reads from it.
func TestUpdateShared(t *testing.T) {
	dir := shareddata.Dir(t, "iam", "service-reference")
	srv := newRefServer(t, dir)
	c, err := catalog.Update(context.Background(), catalog.UpdateOptions{URL: srv.URL + "/", CacheDir: filepath.Join(t.TempDir(), "catalog")})
	if err != nil {
		t.Fatal(err)
	}
	want, err := catalog.LoadServiceReference(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Services()) != len(want.Services()) || c.Len() != want.Len() {
		t.Errorf("updated %d services / %d actions, the directory has %d / %d", len(c.Services()), c.Len(), len(want.Services()), want.Len())
	}
	m := c.Map("sts.amazonaws.com", "AssumeRole", []string{"tags"})
	if m.By != catalog.ByOperations {
		t.Errorf("AssumeRole mapped by %v", m.By)
	}
	t.Logf("%d requests, at most %d at once", srv.requests.Load(), srv.maxInFlight.Load())
}
