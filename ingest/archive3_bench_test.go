package ingest_test

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/usage"
)

func TestArchiveHeap(t *testing.T) {
	dir := os.Getenv("TAILOR_BENCH_ARCHIVE")
	if dir == "" {
		t.Skip()
	}
	s := usage.NewSessions()
	bs := make([]*usage.Builder, 2)
	_, err := ingest.Run(context.Background(), []ingest.Source{&ingest.Dir{Path: dir}}, ingest.Options{
		Workers: 2,
		Decoder: ingest.DecoderOptions{RequestParams: catalog.ConditionalParams()},
		NewSink: func(i int) ingest.Sink {
			bs[i] = usage.NewBuilder(usage.BuilderOptions{Sessions: s})
			return bs[i]
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	f, _ := os.Create("/tmp/heap.out")
	pprof.WriteHeapProfile(f)
	f.Close()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("heap in use after run: %d MB", ms.HeapInuse>>20)
	ix := usage.Finish(usage.Meta{}, bs...)
	runtime.GC()
	f, _ = os.Create("/tmp/heap2.out")
	pprof.WriteHeapProfile(f)
	f.Close()
	runtime.ReadMemStats(&ms)
	t.Logf("heap in use after finish: %d MB, rows %d", ms.HeapInuse>>20, ix.Len())
}
