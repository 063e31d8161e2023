package ingest_test

import (
	"os"
	"testing"
)

func BenchmarkArchivePipeline1(b *testing.B) {
	dir := os.Getenv("TAILOR_BENCH_ARCHIVE")
	if dir == "" {
		b.Skip()
	}
	for b.Loop() {
		ingestArchive(b, dir, 1, -1)
	}
}
