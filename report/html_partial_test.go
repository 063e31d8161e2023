package report_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/report"
	"github.com/tailor-sec/tailor/usage"
)

// partialInput is the demo's report input with an index that could not
// read two log files whole: one of a day, account and region with other
// logs, one of a region with none.
func partialInput(t testing.TB) (*report.HTMLInput, []usage.UnreadableSource) {
	t.Helper()
	in, err := htmlDemoInput()
	if err != nil {
		t.Fatal(err)
	}
	b := usage.NewBuilder(usage.BuilderOptions{})
	day := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
	b.AddSource(usage.Source{Name: "AWSLogs/364851209736/CloudTrail/us-east-1/2026/10/05/cut.json.gz", Day: day,
		Account: "364851209736", Region: "us-east-1", Records: 12, Failed: true})
	b.AddSource(usage.Source{Name: "AWSLogs/364851209736/CloudTrail/eu-central-1/2026/10/09/cut.json.gz", Day: day.AddDate(0, 0, 4),
		Account: "364851209736", Region: "eu-central-1", Failed: true})
	ix, err := usage.Merge(false, in.Usage, usage.Finish(usage.Meta{}, b))
	if err != nil {
		t.Fatal(err)
	}
	partial := *in
	partial.Usage = ix
	return &partial, ix.Unreadable()
}

// TestHTMLPartial: the overview's data says which files could not be read
// whole, and marks the days, accounts and regions that lost records.
func TestHTMLPartial(t *testing.T) {
	in, unreadable := partialInput(t)
	var b bytes.Buffer
	if err := report.WriteHTML(&b, in, report.HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	_, docs := embeddedData(t, b.Bytes())
	var idx struct {
		Days     []string
		Coverage struct {
			Series []struct {
				Account, Region string
				Records         []int64
				Lost            []int
			}
			Unreadable []usage.UnreadableSource
		}
	}
	if err := json.Unmarshal(docs["index"], &idx); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(idx.Coverage.Unreadable, unreadable) || len(unreadable) != 2 {
		t.Errorf("coverage.unreadable = %+v, want %+v", idx.Coverage.Unreadable, unreadable)
	}
	lost := map[string]string{}
	for _, s := range idx.Coverage.Series {
		for _, d := range s.Lost {
			lost[s.Account+" "+s.Region] += idx.Days[d]
		}
	}
	want := map[string]string{"364851209736 us-east-1": "2026-10-05", "364851209736 eu-central-1": "2026-10-09"}
	if !reflect.DeepEqual(lost, want) {
		t.Errorf("days marked lost: %v, want %v", lost, want)
	}
}

// TestHTMLBrowserPartial opens a report of partial input, and one of no
// records: the overview says so first, lists the files, marks the days.
func TestHTMLBrowserPartial(t *testing.T) {
	in, _ := partialInput(t)
	var b bytes.Buffer
	if err := report.WriteHTML(&b, in, report.HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	p := openReport(t, b.Bytes())
	banner := eval[string](t, p, `document.getElementById("partial-input").innerText`)
	if banner != "Input partial: 2 log files could not be read whole: the records after each break are missing (see Coverage)." {
		t.Errorf("banner %q", banner)
	}
	rows := eval[[]string](t, p, `Array.from(document.querySelectorAll("#unreadable tbody tr")).map(r => r.innerText.replace(/\s+/g, " ").trim())`)
	wantRows := []string{"AWSLogs/364851209736/CloudTrail/eu-central-1/2026/10/09/cut.json.gz 364851209736 eu-central-1 2026-10-09 0",
		"AWSLogs/364851209736/CloudTrail/us-east-1/2026/10/05/cut.json.gz 364851209736 us-east-1 2026-10-05 12"}
	if !reflect.DeepEqual(rows, wantRows) {
		t.Errorf("unreadable rows %q, want %q", rows, wantRows)
	}
	if n := eval[int](t, p, `document.querySelectorAll("#coverage-chart rect.cov-lost").length`); n != 2 {
		t.Errorf("%d cells marked lost, want 2", n)
	}
	text := eval[string](t, p, `document.getElementById("overview").innerText`)
	if strings.Contains(text, "Every day of the window has logs") {
		t.Error("the overview says every day has logs")
	}
	p.screenshot(t, "partial-overview")
	p.checkQuiet(t)

	empty := *in
	empty.Usage = usage.Finish(usage.Meta{}, usage.NewBuilder(usage.BuilderOptions{}))
	b.Reset()
	if err := report.WriteHTML(&b, &empty, report.HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	p = openReport(t, b.Bytes())
	text = eval[string](t, p, `document.getElementById("overview").innerText`)
	for _, want := range []string{"Input partial: the logs hold no CloudTrail records in the window: nothing is judged from them and no policy is suggested.",
		"The logs hold no CloudTrail records in the window: no day, account or region has logs."} {
		if !strings.Contains(text, want) {
			t.Errorf("the overview of no records lacks %q:\n%s", want, text)
		}
	}
	p.checkQuiet(t)
}
