package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/usage"
)

// partialLogs copies the demo's logs and cuts one file in half. It returns
// the logs, the cut file, and the account, region and day its key shows.
func partialLogs(t *testing.T) (logs, cut string, lost usage.UnreadableSource) {
	t.Helper()
	logs = filepath.Join(t.TempDir(), "AWSLogs")
	src := "../../testdata/demo/AWSLogs"
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		dst := filepath.Join(logs, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		// The largest file of one day: cut, it loses records.
		if cut == "" && strings.Contains(rel, "/us-east-1/") && strings.HasSuffix(rel, ".json.gz") && len(b) > 4000 {
			cut, b = dst, b[:len(b)/2]
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if cut == "" {
		t.Fatal("no file to cut")
	}
	m := regexp.MustCompile(`AWSLogs/(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d\d)/(\d\d)/`).FindStringSubmatch(filepath.ToSlash(cut))
	if m == nil {
		t.Fatalf("%s is not under the CloudTrail layout", cut)
	}
	return logs, cut, usage.UnreadableSource{File: cut, Account: m[1], Region: m[2], Day: m[3] + "-" + m[4] + "-" + m[5]}
}

// TestPartialInput: a log file that could not be read whole shows on the
// summary line, in review and rightsize JSON (inputs.unreadable), in the
// report's overview, and in the exit status, with and without --fail-on.
func TestPartialInput(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	logs, cut, lost := partialLogs(t)
	dir := t.TempDir()
	whole, partial := filepath.Join(dir, "whole.parquet"), filepath.Join(dir, "partial.parquet")
	if code, _, stderr := rvRun(t, "ingest", "../../testdata/demo/AWSLogs", "-o", whole); code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, stderr)
	}
	code, _, stderr := rvRun(t, "ingest", logs, "-o", partial)
	if code != exitPartial || !strings.Contains(stderr, "unreadable: "+cut) {
		t.Fatalf("ingest of the cut logs: exit %d: %s", code, stderr)
	}
	ix, err := usage.ReadFile(partial)
	if err != nil {
		t.Fatal(err)
	}
	unreadable := ix.Unreadable()
	if len(unreadable) != 1 || unreadable[0].File != cut || unreadable[0].Account != lost.Account || unreadable[0].Region != lost.Region || unreadable[0].Day != lost.Day {
		t.Fatalf("the index's unreadable files: %+v, want %+v", unreadable, lost)
	}
	lost.Records = unreadable[0].Records
	partialLine := "input partial: 1 log file could not be read whole: records lost of " + lost.Account + " " + lost.Region + " " + lost.Day

	// Every combination of findings at --fail-on and partial input.
	tests := []struct {
		name  string
		index string
		args  []string
		code  int
		last  string // the last line of stderr, "" for none
	}{
		{"whole", whole, nil, exitOK, ""},
		{"whole, findings", whole, []string{"--fail-on", "high"}, exitFindings, "tailor: 2 findings at or above high"},
		{"partial", partial, nil, exitPartial, "tailor: " + partialLine},
		{"partial, findings", partial, []string{"--fail-on", "high"}, exitFindings, "tailor: 2 findings at or above high (and " + partialLine + ")"},
	}
	for _, tt := range tests {
		t.Run("review "+tt.name, func(t *testing.T) {
			args := append([]string{"review", "--iam", rvDemoIAM, "--usage", tt.index, "--format", "json"}, tt.args...)
			code, stdout, stderr := rvRun(t, args...)
			if code != tt.code || lastLine(stderr) != tt.last {
				t.Errorf("exit %d, stderr\n%s\nwant exit %d and last line %q", code, stderr, tt.code, tt.last)
			}
			var rep struct {
				Inputs struct{ Unreadable []usage.UnreadableSource }
				Notes  []string
			}
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatal(err)
			}
			if tt.index == partial {
				if len(rep.Inputs.Unreadable) != 1 || rep.Inputs.Unreadable[0] != lost {
					t.Errorf("inputs.unreadable = %+v, want %+v", rep.Inputs.Unreadable, lost)
				}
				if !strings.Contains(stderr, "unreadable: "+cut+" (") {
					t.Errorf("stderr does not name the file:\n%s", stderr)
				}
				if !strings.Contains(strings.Join(rep.Notes, "\n"), "1 log file the usage index was built from could not be read whole") {
					t.Errorf("notes: %q", rep.Notes)
				}
			} else if len(rep.Inputs.Unreadable) != 0 {
				t.Errorf("inputs.unreadable of the whole index: %+v", rep.Inputs.Unreadable)
			}
		})
	}

	t.Run("review text", func(t *testing.T) {
		_, stdout, _ := rvRun(t, "review", "--iam", rvDemoIAM, "--usage", partial)
		if !strings.Contains(strings.Join(strings.Fields(stdout), " "), partial+" (usage; 1 log file could not be read whole)") {
			t.Errorf("the text does not say the index is partial:\n%s", stdout)
		}
	})

	t.Run("rightsize", func(t *testing.T) {
		code, stdout, stderr := rvRun(t, "rightsize", "--iam", rvDemoIAM, "--usage", partial, "--principal", "DatadogIntegrationRole", "--format", "json")
		if code != exitPartial || lastLine(stderr) != "tailor: "+partialLine {
			t.Errorf("exit %d, stderr\n%s", code, stderr)
		}
		var doc struct {
			Inputs struct {
				Usage, IAM string
				Unreadable []usage.UnreadableSource
			}
			Principals []any
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Inputs.Usage != partial || doc.Inputs.IAM != rvDemoIAM || len(doc.Inputs.Unreadable) != 1 || doc.Inputs.Unreadable[0] != lost || len(doc.Principals) != 1 {
			t.Errorf("inputs %+v, %d principals", doc.Inputs, len(doc.Principals))
		}
		code, _, stderr = rvRun(t, "rightsize", "--iam", rvDemoIAM, "--usage", whole, "--principal", "DatadogIntegrationRole", "--format", "json")
		if code != exitOK || stderr != "" {
			t.Errorf("whole index: exit %d, %s", code, stderr)
		}
	})

	t.Run("analyze", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "report")
		args := []string{"analyze", logs, "--iam", rvDemoIAM, "--vendors", rvVendors, "--progress", "never", "-o", out}
		code, _, stderr := rvRun(t, append(args, "--fail-on", "high")...)
		if code != exitFindings || lastLine(stderr) != "tailor: 3 findings at or above high (and "+partialLine+")" || !strings.Contains(stderr, "unreadable: "+cut) {
			t.Errorf("exit %d, stderr\n%s", code, stderr)
		}
		var rep struct {
			Inputs struct{ Unreadable []usage.UnreadableSource }
		}
		b, _ := os.ReadFile(filepath.Join(out, "review.json"))
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		if len(rep.Inputs.Unreadable) != 1 || rep.Inputs.Unreadable[0] != lost {
			t.Errorf("review.json inputs.unreadable = %+v, want %+v", rep.Inputs.Unreadable, lost)
		}
		// The report's overview: which file, and which day of which
		// account and region lost records.
		page, _ := os.ReadFile(filepath.Join(out, "report.html"))
		m := regexp.MustCompile(`<script type="application/json" id="tailor-index">([^<]*)</script>`).FindSubmatch(page)
		if m == nil {
			t.Fatal("no index in report.html")
		}
		var idx struct {
			Days     []string
			Coverage struct {
				Series []struct {
					Account, Region string
					Lost            []int
				}
				Unreadable []usage.UnreadableSource
			}
		}
		if err := json.Unmarshal(m[1], &idx); err != nil {
			t.Fatal(err)
		}
		if len(idx.Coverage.Unreadable) != 1 || idx.Coverage.Unreadable[0] != lost {
			t.Errorf("coverage.unreadable = %+v", idx.Coverage.Unreadable)
		}
		marked := 0
		for _, s := range idx.Coverage.Series {
			for _, d := range s.Lost {
				marked++
				if s.Account != lost.Account || s.Region != lost.Region || idx.Days[d] != lost.Day {
					t.Errorf("%s %s %s marked as lost", s.Account, s.Region, idx.Days[d])
				}
			}
		}
		if marked != 1 {
			t.Errorf("%d days marked as lost, want 1", marked)
		}

		// Again into the same directory, without --fail-on: nothing new
		// is read, and the index still remembers the file it could not
		// read whole.
		code, _, stderr = rvRun(t, args...)
		if code != exitPartial || lastLine(stderr) != "tailor: "+partialLine || !strings.Contains(stderr, "read 0 files") {
			t.Errorf("second run: exit %d, stderr\n%s", code, stderr)
		}
	})
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestOutcome: the exit status of every combination of findings at
// --fail-on, a suggestion that failed its proof and partial input, and
// that the message names each of them.
func TestOutcome(t *testing.T) {
	findings := &codeError{code: exitFindings, msg: "2 findings at or above high"}
	const partial = "1 log file could not be read whole"
	tests := []struct {
		findings bool
		failed   bool
		partial  bool
		code     int
		msg      string
	}{
		{false, false, false, exitOK, ""},
		{false, false, true, exitPartial, "input partial: " + partial},
		{false, true, false, exitError, ""},
		{false, true, true, exitError, "input partial: " + partial},
		{true, false, false, exitFindings, "2 findings at or above high"},
		{true, false, true, exitFindings, "2 findings at or above high (and input partial: " + partial + ")"},
		{true, true, false, exitFindings, "2 findings at or above high (and a suggestion failed its proof)"},
		{true, true, true, exitFindings, "2 findings at or above high (and a suggestion failed its proof; input partial: " + partial + ")"},
	}
	for _, tt := range tests {
		var f error
		if tt.findings {
			f = findings
		}
		p := ""
		if tt.partial {
			p = partial
		}
		err := outcome(f, tt.failed, p)
		msg := ""
		var ce *codeError
		if errors.As(err, &ce) {
			msg = ce.msg
		}
		if exitCode(err) != tt.code || msg != tt.msg {
			t.Errorf("findings %v, failed %v, partial %v: exit %d %q, want %d %q", tt.findings, tt.failed, tt.partial, exitCode(err), msg, tt.code, tt.msg)
		}
	}
}
