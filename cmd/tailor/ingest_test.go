package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/usage"
)

func runTailor(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	io, in, out, errOut := testIO()
	in.WriteString(stdin)
	code = run(context.Background(), io, args)
	return code, out.String(), errOut.String()
}

func rec(user, at string) string {
	return `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/` + user +
		`","accountId":"111122223333"},"eventTime":"` + at + `","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","recipientAccountId":"111122223333"}`
}

func gzipped(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

// TestIngestCommand: the summary line, the exit status for unreadable
// input, and the index written.
func TestIngestCommand(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.json.gz"), gzipped(`{"Records":[`+rec("alice", "2026-10-01T10:00:00Z")+","+rec("bob", "2026-10-02T10:00:00Z")+`]}`), 0o644)
	out := filepath.Join(t.TempDir(), "usage.parquet")

	code, stdout, stderr := runTailor(t, "", "ingest", dir, "-o", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing", stdout)
	}
	summary := regexp.MustCompile(`^read 1 files; 2 events; [0-9.]+ [kM]?B in, [0-9.]+ [kM]?B decompressed, [0-9.]+ MB/s; [0-9.]+m?s; \d+ index rows → .*usage.parquet\n$`)
	if !summary.MatchString(stderr) {
		t.Errorf("summary = %q", stderr)
	}
	ix, err := usage.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ix.Select(usage.Query{Principals: []string{"*alice"}})); n != 1 {
		t.Errorf("alice has %d rows", n)
	}

	// A bad file: exit 4, named with its place, the rest indexed.
	os.WriteFile(filepath.Join(dir, "b.json"), []byte(`{"Records":[`+rec("carol", "2026-10-03T10:00:00Z")+`,{"eventTime":`), 0o644)
	code, _, stderr = runTailor(t, "", "ingest", dir, "-o", out, "--since", "2026-10-02")
	if code != exitPartial {
		t.Errorf("exit %d, want %d: %s", code, exitPartial, stderr)
	}
	if !strings.Contains(stderr, "unreadable: "+filepath.Join(dir, "b.json")+":1:") {
		t.Errorf("stderr does not name the bad file and place:\n%s", stderr)
	}
	ix, err = usage.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range ix.Select(usage.Query{}) {
		got[r.Principal[strings.LastIndexByte(r.Principal, '/')+1:]] = true
	}
	if !got["bob"] || !got["carol"] || got["alice"] {
		t.Errorf("principals %v, want bob and carol (alice is before --since)", got)
	}

	// --strict: exit 1, and no index replaces the old one.
	before, _ := os.ReadFile(out)
	code, _, _ = runTailor(t, "", "ingest", dir, "-o", out, "--strict", "--workers", "1")
	if code != exitError {
		t.Errorf("strict: exit %d", code)
	}
	if after, _ := os.ReadFile(out); !bytes.Equal(before, after) {
		t.Error("a failed strict run changed the index")
	}
}

func TestIngestStdinAndEvents(t *testing.T) {
	out := filepath.Join(t.TempDir(), "u.parquet")
	events := filepath.Join(t.TempDir(), "e.parquet")
	lines := rec("alice", "2026-10-01T10:00:00Z") + "\n" + rec("alice", "2026-10-01T11:00:00Z") + "\n"
	code, _, stderr := runTailor(t, lines, "ingest", "-", "-o", out, "--events", events, "--progress", "never")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	n := 0
	if err := usage.ScanActivity(events, func(a *usage.Activity) error {
		n++
		if a.Principal != "arn:aws:iam::111122223333:user/alice" {
			t.Errorf("activity principal %q", a.Principal)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d activity rows, want 2", n)
	}
}

func TestIngestFlags(t *testing.T) {
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"ingest"}, "at least one SOURCE"},
		{[]string{"ingest", "x"}, "needs -o"},
		{[]string{"ingest", "x", "-o", "y", "--since", "yesterday"}, "--since: bad time"},
		{[]string{"ingest", "x", "-o", "y", "--since", "2026-10-02", "--until", "2026-10-01"}, "is not before --until"},
		{[]string{"ingest", "x", "-o", "y", "--progress", "sometimes"}, "--progress"},
		{[]string{"ingest", "x", "-o", "y", "--workers", "0"}, "--workers"},
		{[]string{"ingest", "x", "-o", "y", "--bogus"}, "unknown flag"},
	}
	for _, tt := range tests {
		code, _, stderr := runTailor(t, "", tt.args...)
		if code != exitUsage || !strings.Contains(stderr, tt.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, exitUsage, tt.msg)
		}
	}
}

func TestParseTimeFlag(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tests := map[string]time.Time{
		"2026-10-01T12:30:00Z":      time.Date(2026, 10, 1, 12, 30, 0, 0, time.UTC),
		"2026-10-01T12:30:00+02:00": time.Date(2026, 10, 1, 10, 30, 0, 0, time.UTC),
		"2026-10-01":                time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		"90d":                       now.Add(-90 * 24 * time.Hour),
		"2w":                        now.Add(-14 * 24 * time.Hour),
		"36h":                       now.Add(-36 * time.Hour),
	}
	for in, want := range tests {
		got, err := parseTimeFlag(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseTimeFlag(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"soon", "-3d", "12x", "2026-13-01"} {
		if _, err := parseTimeFlag(bad, now); err == nil {
			t.Errorf("parseTimeFlag(%q) succeeded", bad)
		}
	}
}

func TestUsageShowAndMerge(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet")
	for i, p := range []string{a, b} {
		user := []string{"alice", "bob"}[i]
		src := filepath.Join(dir, user+".json")
		os.WriteFile(src, []byte(rec(user, "2026-10-01T10:00:00Z")), 0o644)
		if code, _, stderr := runTailor(t, "", "ingest", src, "-o", p); code != exitOK {
			t.Fatalf("ingest: %s", stderr)
		}
	}
	m := filepath.Join(dir, "m.parquet")
	if code, _, stderr := runTailor(t, "", "usage", "merge", "-o", m, a, b); code != exitOK {
		t.Fatalf("merge: %s", stderr)
	}
	code, out, stderr := runTailor(t, "", "usage", "show", m, "--format", "json")
	if code != exitOK {
		t.Fatalf("show: %s", stderr)
	}
	var rows []usageRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Principal != "arn:aws:iam::111122223333:user/alice" || rows[1].Calls != 1 || rows[0].Day != "2026-10-01" {
		t.Errorf("rows = %+v", rows)
	}
	code, out, _ = runTailor(t, "", "usage", "show", m, "--format", "csv", "--principal", "*bob")
	if code != exitOK || strings.Count(out, "\n") != 2 || !strings.HasPrefix(out, "kind,day,account,principal") {
		t.Errorf("csv:\n%s", out)
	}
	code, out, _ = runTailor(t, "", "usage", "show", m)
	if code != exitOK || !strings.Contains(out, "ec2:DescribeInstances") || !strings.HasPrefix(out, "DAY") {
		t.Errorf("table:\n%s", out)
	}
	if code, _, _ := runTailor(t, "", "usage", "show", m, "--kind", "nonsense"); code != exitUsage {
		t.Errorf("bad --kind: exit %d", code)
	}
	if code, _, stderr := runTailor(t, "", "usage", "show", filepath.Join(dir, "alice.json")); code != exitUsage || !strings.Contains(stderr, "alice.json is a CloudTrail log file, not a usage index") {
		t.Errorf("not an index: exit %d, %s", code, stderr)
	}
}
