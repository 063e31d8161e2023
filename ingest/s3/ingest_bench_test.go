package s3_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime/pprof"
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
	// cpu returns the CPU time used so far by this process (the client)
	// and by the server.
	cpu := func() (client, server time.Duration) {
		server, err := srv.CPUTime()
		if err != nil {
			b.Logf("no server CPU time: %v", err)
		}
		return selfCPU(), server
	}
	type result struct {
		mbps           float64
		bytes, objects int64
		client, server time.Duration // CPU time
	}
	run := func(src ingest.Source) result {
		start := time.Now()
		client0, server0 := cpu()
		sessions := usage.NewSessions()
		bs := make([]*usage.Builder, 2)
		var res *ingest.Result
		var err error
		// The label tells the two runs apart in a CPU profile:
		// go tool pprof -tagfocus source=s3 ...
		pprof.Do(context.Background(), pprof.Labels("source", src.String()[:2]), func(ctx context.Context) {
			res, err = ingest.Run(ctx, []ingest.Source{src}, ingest.Options{
				Workers: 2,
				NewSink: func(i int) ingest.Sink {
					bs[i] = usage.NewBuilder(usage.BuilderOptions{Sessions: sessions})
					return bs[i]
				},
			})
		})
		if err != nil || len(res.Problems) > 0 {
			b.Fatalf("ingest %s: %v %v", src, err, res.Problems)
		}
		usage.Finish(usage.Meta{}, bs...)
		client1, server1 := cpu()
		return result{
			mbps:    float64(res.Stats.BytesDecoded) / 1e6 / time.Since(start).Seconds(),
			bytes:   res.Stats.BytesDecoded,
			objects: res.Stats.Objects,
			client:  client1 - client0,
			server:  server1 - server0,
		}
	}
	var disk, remote result
	var gz int64
	for _, p := range keys {
		if st, err := os.Stat(p); err == nil {
			gz += st.Size()
		}
	}
	n := 0
	for b.Loop() {
		d := run(&ingest.Dir{Path: dir})
		r := run(src)
		if d.bytes != r.bytes {
			b.Fatalf("disk decoded %d bytes, S3 %d", d.bytes, r.bytes)
		}
		disk.mbps, remote.mbps = disk.mbps+d.mbps, remote.mbps+r.mbps
		disk.client, remote.client, remote.server = disk.client+d.client, remote.client+r.client, remote.server+r.server
		remote.objects = r.objects
		n++
		b.SetBytes(d.bytes)
	}
	b.ReportMetric(disk.mbps/float64(n), "disk-MB/s")
	b.ReportMetric(remote.mbps/float64(n), "s3-MB/s")
	b.ReportMetric(remote.mbps/disk.mbps, "s3/disk")
	// CPU per GET and per stored (gzipped) byte, above what reading the
	// same files from disk costs the client, and what the server spent.
	gets := float64(n) * float64(remote.objects)
	extra := (remote.client - disk.client).Seconds()
	b.ReportMetric(extra*1e6/gets, "client-extra-µs/GET")
	b.ReportMetric(extra*1e9/float64(n)/float64(gz), "client-extra-ns/B")
	b.ReportMetric(remote.server.Seconds()*1e6/gets, "server-µs/GET")
	b.ReportMetric(remote.server.Seconds()*1e9/float64(n)/float64(gz), "server-ns/B")
	b.ReportMetric(disk.client.Seconds()/float64(n), "disk-cpu-s")
}
