package ingest_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/usage"
)

// BenchmarkArchive measures ingest on the archive of CloudTrail logs in
// $TAILOR_BENCH_ARCHIVE (make one with cmd/trailgen; see the README) as
// ratios taken in the same iteration, which a noisy machine disturbs
// least:
//
//	1w/gunzip  ingest on one worker ÷ klauspost gzip inflate alone, one core
//	2w/1w      ingest on two workers ÷ ingest on one
//	dedupe-cost  time of ingest on one worker ÷ the same without dropping
//	             copies of events (Options.NoDedupe): what counting each
//	             event once costs
//	dedupe-cpu   the same as a ratio of the CPU time the process used,
//	             which other processes on the machine disturb less
//	1w/gunzip-cpu  1w/gunzip from the CPU time of the two
//
// Throughputs are of decompressed bytes.
func BenchmarkArchive(b *testing.B) {
	dir := os.Getenv("TAILOR_BENCH_ARCHIVE")
	if dir == "" {
		b.Skip("set TAILOR_BENCH_ARCHIVE to a directory of CloudTrail logs")
	}
	var files []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(p, ".json.gz") && !strings.Contains(p, "Digest") {
			files = append(files, p)
		}
		return err
	})
	var gunzip, one, two, off float64          // MB/s, summed over iterations
	var cpuGunzip, cpuOn, cpuOff time.Duration // CPU time of the one-core runs
	var n int
	var keys int64 // the most event keys a run held at once
	for b.Loop() {
		runtime.GC()
		c := selfCPU()
		g, size := gunzipAll(b, files)
		cpuGunzip += selfCPU() - c
		// The runs with and without dedupe take turns going first.
		var w0, w1 float64
		runOn := func() {
			runtime.GC()
			c := selfCPU()
			w1, keys = ingestArchive(b, dir, 1, size, true)
			cpuOn += selfCPU() - c
		}
		runOff := func() {
			runtime.GC()
			c := selfCPU()
			w0, _ = ingestArchive(b, dir, 1, size, false)
			cpuOff += selfCPU() - c
		}
		if n%2 == 0 {
			runOn()
			runOff()
		} else {
			runOff()
			runOn()
		}
		w2, _ := ingestArchive(b, dir, 2, size, true)
		gunzip, one, two, off = gunzip+g, one+w1, two+w2, off+w0
		n++
		b.SetBytes(size)
	}
	b.ReportMetric(gunzip/float64(n), "gunzip-MB/s")
	b.ReportMetric(one/float64(n), "1w-MB/s")
	b.ReportMetric(two/float64(n), "2w-MB/s")
	b.ReportMetric(off/float64(n), "1w-nodedupe-MB/s")
	b.ReportMetric(one/gunzip, "1w/gunzip")
	b.ReportMetric(two/one, "2w/1w")
	b.ReportMetric(off/one, "dedupe-cost")
	if cpuOff > 0 {
		b.ReportMetric(float64(cpuGunzip)/float64(cpuOn), "1w/gunzip-cpu")
		b.ReportMetric(float64(cpuOn)/float64(cpuOff), "dedupe-cpu")
	}
	b.ReportMetric(float64(keys), "dedupe-keys")
}

// gunzipAll inflates every file to io.Discard on one core, the way a
// worker reads them (a reused reader), and returns MB/s and the bytes.
func gunzipAll(b *testing.B, files []string) (float64, int64) {
	runtime.GC()
	start := time.Now()
	var n int64
	var zr *gzip.Reader
	br := bufio.NewReaderSize(nil, 64<<10)
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		br.Reset(fh)
		if zr == nil {
			zr, err = gzip.NewReader(br)
		} else {
			err = zr.Reset(br)
		}
		if err != nil {
			b.Fatal(err)
		}
		m, err := io.Copy(io.Discard, zr)
		if err != nil {
			b.Fatal(err)
		}
		n += m
		fh.Close()
	}
	return float64(n) / 1e6 / time.Since(start).Seconds(), n
}

// ingestArchive runs ingest on dir, as the CLI does, dropping copies of
// events or not, and returns MB/s and the most event keys it held at once.
func ingestArchive(b *testing.B, dir string, workers int, want int64, dedupe bool) (float64, int64) {
	runtime.GC() // what the run before left is not this one's to collect
	start := time.Now()
	s := usage.NewSessions()
	bs := make([]*usage.Builder, workers)
	res, err := ingest.Run(context.Background(), []ingest.Source{&ingest.Dir{Path: dir}}, ingest.Options{
		Workers:  workers,
		NoDedupe: !dedupe,
		Decoder:  ingest.DecoderOptions{RequestParams: catalog.ConditionalParams()},
		NewSink: func(i int) ingest.Sink {
			bs[i] = usage.NewBuilder(usage.BuilderOptions{Sessions: s})
			return bs[i]
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	usage.Finish(usage.Meta{}, bs...).PruneEdges(ingest.MaxDeliveryLag)
	if (want >= 0 && res.Stats.BytesDecoded != want) || len(res.Problems) > 0 {
		b.Fatalf("ingest decoded %d bytes (want %d), problems %v", res.Stats.BytesDecoded, want, res.Problems)
	}
	return float64(want) / 1e6 / time.Since(start).Seconds(), res.Stats.Remembered
}
