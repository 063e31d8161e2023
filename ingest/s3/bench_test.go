package s3_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/ingest/s3"
)

// BenchmarkRead reads a synthetic archive (about 128 MB of gzipped
// CloudTrail files of about 800 kB each) through Source.Open from the
// local S3 server, and the same files from local disk, with the same
// number of concurrent readers, and reports both throughputs and their
// ratio. "raw" copies the stored bytes; "gunzip" also decompresses, as
// ingest does.
func BenchmarkRead(b *testing.B) {
	const (
		distinct = 8  // different file contents
		copies   = 20 // keys per content
		records  = 10000
		workers  = s3.DefaultMaxConcurrentGETs
	)
	e := newEnv(b)
	e.srv.CreateBucket(b, "bench")
	dir := b.TempDir()
	var objs []ingest.Object
	var total int64
	for i := 0; i < distinct; i++ {
		t := day(2024, 1, 31).Add(time.Duration(i) * time.Hour)
		data := trailFile(acctA, "us-east-1", t, records, uint64(i))
		for c := 0; c < copies; c++ {
			key := logKey("AWSLogs/", acctA, "us-east-1", t, fmt.Sprintf("c%03d", c))
			etag := e.srv.Put(b, "bench", key, data)
			path := filepath.Join(dir, filepath.FromSlash(key))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				b.Fatal(err)
			}
			objs = append(objs, ingest.Object{Key: key, Size: int64(len(data)), ETag: etag})
			total += int64(len(data))
		}
	}
	b.Logf("%d objects, %.1f MB", len(objs), float64(total)/1e6)

	// Straight to the server: the proxy is for fault tests.
	src, err := s3.New(context.Background(), "s3://bench", s3.Options{
		EndpointURL: e.srv.Endpoint, Credentials: e.srv.Credentials(), Region: "us-east-1",
	})
	if err != nil {
		b.Fatal(err)
	}
	openS3 := func(o ingest.Object) (io.ReadCloser, error) { return src.Open(context.Background(), o) }
	openDisk := func(o ingest.Object) (io.ReadCloser, error) {
		return os.Open(filepath.Join(dir, filepath.FromSlash(o.Key)))
	}

	for _, mode := range []string{"raw", "gunzip"} {
		b.Run(mode, func(b *testing.B) {
			var s3Time, diskTime time.Duration
			for i := 0; i < b.N; i++ {
				s3Time += readAll(b, objs, workers, mode == "gunzip", openS3)
				diskTime += readAll(b, objs, workers, mode == "gunzip", openDisk)
			}
			mb := float64(total) * float64(b.N) / 1e6
			b.ReportMetric(mb/s3Time.Seconds(), "s3-MB/s")
			b.ReportMetric(mb/diskTime.Seconds(), "disk-MB/s")
			b.ReportMetric(diskTime.Seconds()/s3Time.Seconds(), "s3/disk")
		})
	}
}

// readAll reads every object with workers readers at once and returns
// the time it took.
func readAll(b *testing.B, objs []ingest.Object, workers int, gunzip bool,
	open func(ingest.Object) (io.ReadCloser, error)) time.Duration {
	next := make(chan ingest.Object)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 64<<10)
			var zr *gzip.Reader
			for o := range next {
				err := func() error {
					r, err := open(o)
					if err != nil {
						return err
					}
					defer r.Close()
					var in io.Reader = r
					if gunzip {
						if zr == nil {
							zr, err = gzip.NewReader(r)
						} else {
							err = zr.Reset(r)
						}
						if err != nil {
							return err
						}
						in = zr
					}
					_, err = io.CopyBuffer(io.Discard, in, buf)
					return err
				}()
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("%s: %w", o.Key, err)
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, o := range objs {
		next <- o
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	return time.Since(start)
}

// BenchmarkGet reads small gzipped CloudTrail files (about 8 kB, the
// size of a quiet account's deliveries) through Source.Open from the
// local S3 server, without decoding them, and reports the CPU time each
// GET costs the client and the server: what S3 adds to an ingest, apart
// from the bytes.
func BenchmarkGet(b *testing.B) {
	const objects = 1000
	e := newEnv(b)
	e.srv.CreateBucket(b, "bench")
	var objs []ingest.Object
	var total int64
	for i := range objects {
		t := day(2024, 1, 31).Add(time.Duration(i) * time.Minute)
		data := trailFile(acctA, "us-east-1", t, 60, uint64(i))
		key := logKey("AWSLogs/", acctA, "us-east-1", t, fmt.Sprintf("g%04d", i))
		etag := e.srv.Put(b, "bench", key, data)
		objs = append(objs, ingest.Object{Key: key, Size: int64(len(data)), ETag: etag})
		total += int64(len(data))
	}
	src, err := s3.New(context.Background(), "s3://bench", s3.Options{
		EndpointURL: e.srv.Endpoint, Credentials: e.srv.Credentials(), Region: "us-east-1",
	})
	if err != nil {
		b.Fatal(err)
	}
	open := func(o ingest.Object) (io.ReadCloser, error) { return src.Open(context.Background(), o) }
	readAll(b, objs, s3.DefaultMaxConcurrentGETs, false, open) // warm the connections
	client0, server0 := selfCPU(), serverCPU(b, e)
	b.ResetTimer()
	n := 0
	for b.Loop() {
		readAll(b, objs, s3.DefaultMaxConcurrentGETs, false, open)
		n++
	}
	gets := float64(n * objects)
	b.SetBytes(total)
	b.ReportMetric((selfCPU()-client0).Seconds()*1e6/gets, "client-µs/GET")
	b.ReportMetric((serverCPU(b, e)-server0).Seconds()*1e6/gets, "server-µs/GET")
	b.ReportMetric(float64(total)/objects, "B/object")
}

func serverCPU(b *testing.B, e *env) time.Duration {
	d, err := e.srv.CPUTime()
	if err != nil {
		b.Logf("no server CPU time: %v", err)
	}
	return d
}
