package s3_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/ingest/s3"
	"github.com/tailor-sec/tailor/internal/s3test"
	"github.com/tailor-sec/tailor/usage"
)

// BenchmarkIngestS3 ingests the archive in $TAILOR_BENCH_ARCHIVE (see the
// README: a 1 GiB trailgen archive) from a local S3 server (versitygw) and
// from local disk, with the same pipeline and workers, and reports both
// throughputs and their ratio, taken in the same iteration.
func BenchmarkIngestS3(b *testing.B) {
	dir := os.Getenv("TAILOR_BENCH_ARCHIVE")
	if dir == "" {
		b.Skip("set TAILOR_BENCH_ARCHIVE to a directory of CloudTrail logs")
	}
	srv := s3test.Start(b)
	srv.CreateBucket(b, "bench")
	var keys []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			keys = append(keys, p)
		}
		return err
	})
	// Upload with a few connections at once.
	var wg sync.WaitGroup
	work := make(chan string)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				data, err := os.ReadFile(p)
				if err != nil {
					b.Error(err)
					continue
				}
				rel, _ := filepath.Rel(dir, p)
				srv.Put(b, "bench", filepath.ToSlash(rel), data)
			}
		}()
	}
	for _, k := range keys {
		work <- k
	}
	close(work)
	wg.Wait()
	src, err := s3.New(context.Background(), "s3://bench/AWSLogs", s3.Options{
		EndpointURL: srv.Endpoint, Credentials: srv.Credentials(), Region: "us-east-1",
	})
	if err != nil {
		b.Fatal(err)
	}
	run := func(src ingest.Source) (float64, int64) {
		start := time.Now()
		sessions := usage.NewSessions()
		bs := make([]*usage.Builder, 2)
		res, err := ingest.Run(context.Background(), []ingest.Source{src}, ingest.Options{
			Workers: 2,
			NewSink: func(i int) ingest.Sink {
				bs[i] = usage.NewBuilder(usage.BuilderOptions{Sessions: sessions})
				return bs[i]
			},
		})
		if err != nil || len(res.Problems) > 0 {
			b.Fatalf("ingest %s: %v %v", src, err, res.Problems)
		}
		usage.Finish(usage.Meta{}, bs...)
		return float64(res.Stats.BytesDecoded) / 1e6 / time.Since(start).Seconds(), res.Stats.BytesDecoded
	}
	var disk, remote float64
	n := 0
	for b.Loop() {
		d, size := run(&ingest.Dir{Path: dir})
		r, rsize := run(src)
		if size != rsize {
			b.Fatalf("disk decoded %d bytes, S3 %d", size, rsize)
		}
		disk, remote, n = disk+d, remote+r, n+1
		b.SetBytes(size)
	}
	b.ReportMetric(disk/float64(n), "disk-MB/s")
	b.ReportMetric(remote/float64(n), "s3-MB/s")
	b.ReportMetric(remote/disk, "s3/disk")
}
