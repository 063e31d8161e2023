package review_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/usage"
)

// ingestLogs reads CloudTrail logs (a directory or a file) as tailor
// ingest --events does, and returns the usage index and the path of the
// activity log, written in a temporary directory.
func ingestLogs(t *testing.T, paths ...string) (*usage.Index, string) {
	t.Helper()
	var sources []ingest.Source
	for _, p := range paths {
		src, err := ingest.LocalSource(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, src)
	}
	const workers = 2
	sessions := usage.NewSessions()
	builders := make([]*usage.Builder, workers)
	spools := make([]*usage.ActivitySpool, workers)
	for i := range spools {
		s, err := usage.NewActivitySpool(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		spools[i] = s
	}
	_, err := ingest.Run(context.Background(), sources, ingest.Options{
		Workers: workers,
		Decoder: ingest.DecoderOptions{RequestParams: catalog.ConditionalParams()},
		NewSink: func(i int) ingest.Sink {
			builders[i] = usage.NewBuilder(usage.BuilderOptions{Sessions: sessions})
			return ingest.Tee(builders[i], spools[i])
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	events := filepath.Join(t.TempDir(), "events.parquet")
	if err := usage.FinishActivity(events, false, sessions, spools...); err != nil {
		t.Fatal(err)
	}
	return usage.Finish(usage.Meta{Tool: "review test"}, builders...), events
}

// scanner returns an Input.Events function over an activity log file.
func scanner(path string) func(fn func(*usage.Activity) error) error {
	return func(fn func(*usage.Activity) error) error { return usage.ScanActivity(path, fn) }
}
