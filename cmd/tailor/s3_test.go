package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/internal/faultproxy"
	"github.com/tailor-sec/tailor/internal/s3test"
)

// s3Archive serves the test archive from a real S3 server (versitygw)
// behind a fault-injecting proxy, and points the AWS SDK at it.
func s3Archive(t *testing.T) (*faultproxy.Proxy, string) {
	t.Helper()
	arch := testArchive(t)
	srv := s3test.Start(t)
	srv.CreateBucket(t, "org-trail")
	n := 0
	err := filepath.WalkDir(arch, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(arch, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		srv.Put(t, "org-trail", filepath.ToSlash(rel), data)
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse(srv.Endpoint)
	proxy := faultproxy.New(target, faultproxy.Options{Seed: 1})
	hs := httptest.NewServer(proxy)
	t.Cleanup(hs.Close)
	creds, err := srv.Credentials().Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", creds.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", creds.SecretAccessKey)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Logf("uploaded %d objects", n)
	return proxy, hs.URL
}

// dumpCalls renders an index's call, coverage and session rows: what
// must not depend on where the logs were read from (source rows name the
// objects, which differ between disk and S3).
func dumpCalls(t *testing.T, path string) string {
	t.Helper()
	var b strings.Builder
	for _, kind := range []string{"call", "coverage", "session"} {
		code, out, stderr := runTailor(t, "", "usage", "show", path, "--kind", kind, "--format", "csv")
		if code != exitOK {
			t.Fatalf("usage show: %s", stderr)
		}
		b.WriteString(out)
	}
	return b.String()
}

// TestS3Ingest: ingesting from S3 gives the index ingesting from disk
// gives, through throttling, server errors and connections cut mid-body;
// the filters prune what is listed and fetched; shards and a resumed run
// merge to the same index.
func TestS3Ingest(t *testing.T) {
	proxy, endpoint := s3Archive(t)
	arch := testArchive(t)
	dir := t.TempDir()
	disk := filepath.Join(dir, "disk.parquet")
	ingestOK(t, arch, "-o", disk)
	want := dumpCalls(t, disk)

	s3 := func(t *testing.T, out string, extra ...string) (int, string) {
		t.Helper()
		args := append([]string{"ingest", "s3://org-trail/AWSLogs", "-o", out, "--endpoint-url", endpoint, "--progress", "never"}, extra...)
		code, _, stderr := runTailor(t, "", args...)
		return code, stderr
	}

	t.Run("same as disk, with faults", func(t *testing.T) {
		proxy.ResetLog()
		proxy.SetRules(
			// Bounded: each fault costs a backoff of its own.
			faultproxy.Rule{Op: faultproxy.OpGetObject, Probability: 0.05, Times: 15, Fault: faultproxy.SlowDown()},
			faultproxy.Rule{Op: faultproxy.OpGetObject, Probability: 0.05, Times: 10, Fault: faultproxy.InternalError()},
			faultproxy.Rule{Op: faultproxy.OpGetObject, Probability: 0.05, Times: 20, Fault: faultproxy.CutAfter(300)},
			faultproxy.Rule{Op: faultproxy.OpListObjects, Probability: 0.2, Times: 5, Fault: faultproxy.SlowDown()},
		)
		defer proxy.SetRules()
		out := filepath.Join(dir, "s3.parquet")
		if code, stderr := s3(t, out); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		injected := 0
		for _, e := range proxy.Log() {
			if e.Fault != faultproxy.None {
				injected++
			}
		}
		if injected < 30 {
			t.Fatalf("only %d faults injected", injected)
		}
		if got := dumpCalls(t, out); got != want {
			t.Fatalf("S3 ingest under %d faults differs from disk: %s", injected, firstDiff(got, want))
		}
		for _, e := range proxy.Log() {
			if strings.Contains(e.Key, "CloudTrail-Digest") {
				t.Fatalf("digest fetched: %s", e.Key)
			}
			// The bucket owner's logs tell tailor's reads apart.
			if ua := e.Header.Get("User-Agent"); !strings.Contains(ua, " app/tailor-") {
				t.Errorf("%s %s: User-Agent %q does not name tailor", e.Op, e.Key, ua)
			}
		}
	})

	t.Run("pruning", func(t *testing.T) {
		proxy.ResetLog()
		out := filepath.Join(dir, "pruned.parquet")
		if code, stderr := s3(t, out, "--region", "eu-west-1", "--since", "2026-03-02", "--until", "2026-03-03"); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for key := range proxy.Keys(faultproxy.OpGetObject) {
			if !strings.Contains(key, "/CloudTrail/eu-west-1/2026/03/0") {
				t.Errorf("fetched %s, outside the filter", key)
			}
			if !strings.Contains(key, "/2026/03/02/") && !strings.Contains(key, "/2026/03/03/0") && !strings.Contains(key, "/2026/03/03/") {
				t.Errorf("fetched %s, outside the window", key)
			}
		}
		for _, e := range proxy.Entries(faultproxy.OpListObjects) {
			if p := e.Query.Get("prefix"); strings.Contains(p, "us-east-1/2026") || strings.Contains(p, "/2026/03/01/") {
				t.Errorf("listed %s: outside the filter", p)
			}
		}
		fetched := len(proxy.Keys(faultproxy.OpGetObject))
		total := 0
		filepath.WalkDir(arch, func(p string, e os.DirEntry, _ error) error {
			if !e.IsDir() && strings.Contains(p, "/CloudTrail/") {
				total++
			}
			return nil
		})
		if fetched == 0 || fetched*3 > total {
			t.Errorf("fetched %d of %d log objects for one region and one day of three", fetched, total)
		}
	})

	t.Run("shards", func(t *testing.T) {
		var parts []string
		for k := 0; k < 2; k++ {
			p := filepath.Join(dir, fmt.Sprintf("s3-shard-%d.parquet", k))
			if code, stderr := s3(t, p, "--shard", fmt.Sprintf("%d/2", k)); code != exitOK {
				t.Fatalf("shard %d: %s", k, stderr)
			}
			parts = append(parts, p)
		}
		merged := filepath.Join(dir, "s3-merged.parquet")
		if code, _, stderr := runTailor(t, "", append([]string{"usage", "merge", "-o", merged}, parts...)...); code != exitOK {
			t.Fatal(stderr)
		}
		if got := dumpCalls(t, merged); got != want {
			t.Fatalf("merged S3 shards differ: %s", firstDiff(got, want))
		}
	})

	t.Run("resume", func(t *testing.T) {
		out := filepath.Join(dir, "s3-resumed.parquet")
		cp := filepath.Join(dir, "s3.checkpoint")
		// Slow the GETs down so that the run is stopped halfway.
		proxy.SetRules(faultproxy.Rule{Op: faultproxy.OpGetObject, Fault: faultproxy.DelayBy(2 * time.Millisecond)})
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			for ctx.Err() == nil {
				if _, err := os.Stat(cp); err == nil {
					cancel()
					return
				}
				time.Sleep(time.Millisecond)
			}
		}()
		io, _, _, _ := testIO()
		code := run(ctx, io, []string{"ingest", "s3://org-trail/AWSLogs", "-o", out, "--endpoint-url", endpoint,
			"--checkpoint", cp, "--checkpoint-every", "20ms", "--progress", "never"})
		cancel()
		proxy.SetRules()
		if code == exitOK {
			t.Skip("the run finished before it could be stopped")
		}
		proxy.ResetLog()
		if code, stderr := s3(t, out, "--checkpoint", cp); code != exitOK {
			t.Fatalf("resume: %s", stderr)
		}
		if got := dumpCalls(t, out); got != want {
			t.Fatalf("resumed S3 run differs: %s", firstDiff(got, want))
		}
	})
}
