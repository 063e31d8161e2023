package s3test_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tailor-sec/tailor/internal/s3test"
)

func TestServerRoundTrip(t *testing.T) {
	srv := s3test.Start(t)
	srv.CreateBucket(t, "roundtrip")
	body := bytes.Repeat([]byte("tailor "), 10000)
	etag := srv.Put(t, "roundtrip", "a/b/c.json.gz", body)
	if etag == "" {
		t.Errorf("Put returned no ETag")
	}
	// The posix backend stores the object as a file under Dir.
	onDisk, err := os.ReadFile(filepath.Join(srv.Dir, "roundtrip", "a", "b", "c.json.gz"))
	if err != nil || !bytes.Equal(onDisk, body) {
		t.Errorf("object on disk: %d bytes, err %v; want %d bytes", len(onDisk), err, len(body))
	}
	out, err := srv.Client(srv.Endpoint).GetObject(context.Background(), &awss3.GetObjectInput{
		Bucket: aws.String("roundtrip"), Key: aws.String("a/b/c.json.gz"), Range: aws.String("bytes=7-"),
	})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	defer out.Body.Close()
	got, err := io.ReadAll(out.Body)
	if err != nil || !bytes.Equal(got, body[7:]) {
		t.Errorf("ranged get: %d bytes, err %v; want %d", len(got), err, len(body)-7)
	}
}

func TestBinaryOverride(t *testing.T) {
	t.Setenv(s3test.BinaryEnv, filepath.Join(t.TempDir(), "missing"))
	if _, err := s3test.Binary(); !errors.Is(err, s3test.ErrNoBinary) {
		t.Errorf("Binary() with a missing override: err = %v, want ErrNoBinary", err)
	}
}

// recorder stands in for a testing.TB to see whether Start skips or fails.
type recorder struct {
	testing.TB
	skipped, failed bool
}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = true
	runtime.Goexit()
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = true
	runtime.Goexit()
}

func TestStartWithoutBinary(t *testing.T) {
	tests := []struct {
		name, require      string
		wantSkip, wantFail bool
	}{
		{name: "skips", require: "", wantSkip: true},
		{name: "zero-skips", require: "0", wantSkip: true},
		{name: "required-fails", require: "1", wantFail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(s3test.BinaryEnv, filepath.Join(t.TempDir(), "missing"))
			t.Setenv(s3test.RequireEnv, tt.require)
			r := &recorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				s3test.Start(r)
			}()
			<-done
			if r.skipped != tt.wantSkip || r.failed != tt.wantFail {
				t.Errorf("skipped=%v failed=%v, want skipped=%v failed=%v", r.skipped, r.failed, tt.wantSkip, tt.wantFail)
			}
		})
	}
}

// TestKeepAlive checks that the server keeps connections open between
// requests, as S3 does: without it every GET of a benchmark pays for a
// new connection.
func TestKeepAlive(t *testing.T) {
	srv := s3test.Start(t)
	srv.CreateBucket(t, "keepalive")
	srv.Put(t, "keepalive", "k", []byte("body"))
	client := srv.Client(srv.Endpoint)
	var reused []bool
	trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = append(reused, i.Reused) }}
	ctx := httptrace.WithClientTrace(context.Background(), trace)
	for range 3 {
		out, err := client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("keepalive"), Key: aws.String("k")})
		if err != nil {
			t.Fatalf("get: %v", err)
		}
		io.Copy(io.Discard, out.Body)
		out.Body.Close()
	}
	if want := []bool{false, true, true}; !slices.Equal(reused, want) {
		t.Errorf("connection reused per GET = %v, want %v", reused, want)
	}
}

func TestCPUTime(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("CPU time is read from /proc")
	}
	srv := s3test.Start(t)
	srv.CreateBucket(t, "cpu")
	before, err := srv.CPUTime()
	if err != nil {
		t.Fatal(err)
	}
	// Work the server until it has used at least two clock ticks more.
	client := srv.Client(srv.Endpoint)
	after := before
	for i := 0; i < 5000 && after < before+20*time.Millisecond; i++ {
		if _, err := client.HeadBucket(context.Background(), &awss3.HeadBucketInput{Bucket: aws.String("cpu")}); err != nil {
			t.Fatal(err)
		}
		if after, err = srv.CPUTime(); err != nil {
			t.Fatal(err)
		}
	}
	if after < before+20*time.Millisecond {
		t.Errorf("CPU time went from %v to %v after 5,000 requests", before, after)
	}
}
