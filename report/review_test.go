package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/report"
	"github.com/tailor-sec/tailor/review"
	"github.com/tailor-sec/tailor/usage"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var demoDir = filepath.Join("..", "testdata", "demo")

// The demo's ExternalIds (testdata/demo/iam.json): no output may hold them.
var demoSecrets = []string{"1d30edd96aedb4aba7a577897c1e930c", "lw-yJKmoUm3iI3sFCfwHYYIAF"}

// demo holds the demo's review and activity log, built once in tmp.
var demo struct {
	report *review.Report
	events string
	tmp    string
}

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "report-test-*")
	if err != nil {
		panic(err)
	}
	demo.tmp = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// demoReview reviews the bundled demo with every input.
func demoReview(t *testing.T) (*review.Report, string) {
	t.Helper()
	if demo.report != nil {
		return demo.report, demo.events
	}
	src, err := ingest.LocalSource(filepath.Join(demoDir, "AWSLogs"), nil)
	if err != nil {
		t.Fatal(err)
	}
	sessions := usage.NewSessions()
	builders := make([]*usage.Builder, 2)
	spools := make([]*usage.ActivitySpool, 2)
	for i := range spools {
		if spools[i], err = usage.NewActivitySpool(demo.tmp); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ingest.Run(context.Background(), []ingest.Source{src}, ingest.Options{
		Workers: 2,
		Decoder: ingest.DecoderOptions{RequestParams: catalog.ConditionalParams()},
		NewSink: func(i int) ingest.Sink {
			builders[i] = usage.NewBuilder(usage.BuilderOptions{Sessions: sessions})
			return ingest.Tee(builders[i], spools[i])
		},
	}); err != nil {
		t.Fatal(err)
	}
	events := filepath.Join(demo.tmp, "events.parquet")
	if err := usage.FinishActivity(events, false, sessions, spools...); err != nil {
		t.Fatal(err)
	}
	snap, err := account.LoadFile(filepath.Join(demoDir, "iam.json"))
	if err != nil {
		t.Fatal(err)
	}
	cr, err := account.LoadCredentialReport(filepath.Join(demoDir, "credential-report.csv"))
	if err != nil {
		t.Fatal(err)
	}
	vendors, err := review.LoadVendors(filepath.Join("testdata", "review", "vendors.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := review.Review(context.Background(), review.Input{
		Snapshot: snap, Usage: usage.Finish(usage.Meta{}, builders...), Credentials: cr, Vendors: vendors,
		Events:  func(fn func(*usage.Activity) error) error { return usage.ScanActivity(events, fn) },
		IAMPath: "testdata/demo/iam.json", UsagePath: "demo.parquet", EventsPath: "demo-events.parquet",
		CredentialsPath: "testdata/demo/credential-report.csv",
	}, review.Options{})
	if err != nil {
		t.Fatal(err)
	}
	demo.report, demo.events = rep, events
	return rep, events
}

// golden compares got with testdata/review/name, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "review", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got %q\nwant %q\n(run go test -update to accept)", name, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: %d lines, want %d (run go test -update to accept)", name, len(gl), len(wl))
	}
	for _, s := range demoSecrets {
		if bytes.Contains(got, []byte(s)) {
			t.Errorf("%s shows an ExternalId", name)
		}
	}
}

func TestReviewGolden(t *testing.T) {
	rep, _ := demoReview(t)
	t.Run("text", func(t *testing.T) {
		var b bytes.Buffer
		if err := report.WriteReviewText(&b, rep, report.TextOptions{Width: 100}); err != nil {
			t.Fatal(err)
		}
		golden(t, "demo.txt.golden", b.Bytes())
		for i, ln := range strings.Split(b.String(), "\n") {
			// JSON documents and unbreakable words (ARNs, commands) may
			// run over; prose and tables may not.
			if len([]rune(ln)) > 100 && !strings.Contains(ln, "arn:aws") && !strings.Contains(ln, "$ ") && !strings.Contains(ln, "\"") {
				t.Errorf("line %d is %d characters: %q", i+1, len([]rune(ln)), ln)
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		var b bytes.Buffer
		if err := report.WriteReviewJSON(&b, rep, "tailor test"); err != nil {
			t.Fatal(err)
		}
		golden(t, "demo.json.golden", b.Bytes())
		var doc struct {
			Schema     string `json:"schema"`
			Account    string `json:"account"`
			Principals []struct {
				ARN      string `json:"arn"`
				Worst    string `json:"worst"`
				Findings []struct {
					ID, Rule, Severity string
				} `json:"findings"`
			} `json:"principals"`
			Counts map[string]int `json:"counts"`
		}
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range doc.Principals {
			n += len(p.Findings)
		}
		if doc.Schema != report.ReviewSchema || doc.Account != "364851209736" || n != rep.Counts.Total() ||
			doc.Counts["critical"] != rep.Counts.Critical || doc.Principals[0].Worst != "critical" {
			t.Errorf("document %+v", doc)
		}
	})
	t.Run("sarif", func(t *testing.T) {
		text, err := os.ReadFile(filepath.Join(demoDir, "iam.json"))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := report.WriteSARIF(&b, rep, report.SARIFOptions{ToolVersion: "test", Artifact: "testdata/demo/iam.json", Line: report.LineIndex(text)}); err != nil {
			t.Fatal(err)
		}
		golden(t, "demo.sarif.golden", b.Bytes())
	})
}

func TestTimelineGolden(t *testing.T) {
	_, events := demoReview(t)
	scan := func(fn func(*usage.Activity) error) error { return usage.ScanActivity(events, fn) }
	vendors, err := review.LoadVendors(filepath.Join("testdata", "review", "vendors.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tl, err := review.BuildTimeline(context.Background(), scan, review.Selection{Principals: []string{"*:user/legacy-reporting"}}, review.TimelineOptions{
		Since: mustTime(t, "2026-10-11T00:00:00Z"), Until: mustTime(t, "2026-10-12T00:00:00Z"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var text, js, sessions, sweep bytes.Buffer
	if err := report.WriteTimelineText(&text, tl, report.TimelineTextOptions{TextOptions: report.TextOptions{Width: 100}, Sessions: true, Sweep: true, Vendors: vendors}); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteTimelineJSON(&js, tl, "tailor test"); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteTimelineCSV(&sessions, tl, false); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteTimelineCSV(&sweep, tl, true); err != nil {
		t.Fatal(err)
	}
	golden(t, "legacy-reporting.txt.golden", text.Bytes())
	golden(t, "legacy-reporting.json.golden", js.Bytes())
	golden(t, "legacy-reporting.sessions.csv.golden", sessions.Bytes())
	golden(t, "legacy-reporting.sweep.csv.golden", sweep.Bytes())
}

func mustTime(t *testing.T, s string) (v time.Time) {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
