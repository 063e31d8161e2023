package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/internal/trailgen"
	"github.com/tailor-sec/tailor/usage"
)

var (
	archiveOnce sync.Once
	archiveDir  string
	archiveErr  error
)

// testArchive is a small synthetic organization trail: 2 accounts, 2
// regions, 3 days, vendor sessions whose AssumeRole may come after the
// calls made with them.
func testArchive(t *testing.T) string {
	t.Helper()
	archiveOnce.Do(func() {
		archiveDir, archiveErr = os.MkdirTemp("", "tailor-archive-*")
		if archiveErr != nil {
			return
		}
		_, archiveErr = trailgen.WriteArchive(context.Background(), archiveDir, trailgen.Options{
			Size: 12 << 20, Accounts: 2, Regions: 2, Days: 3, OrgID: "o-a1b2c3d4e5", Seed: 7, Digests: true,
			Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		})
	})
	if archiveErr != nil {
		t.Fatal(archiveErr)
	}
	return archiveDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if archiveDir != "" {
		os.RemoveAll(archiveDir)
	}
	os.Exit(code)
}

// dumpIndex renders every row of an index as CSV.
func dumpIndex(t *testing.T, path string) string {
	t.Helper()
	code, out, stderr := runTailor(t, "", "usage", "show", path, "--kind", "all", "--format", "csv")
	if code != exitOK {
		t.Fatalf("usage show %s: %s", path, stderr)
	}
	return out
}

func ingestOK(t *testing.T, args ...string) {
	t.Helper()
	if code, _, stderr := runTailor(t, "", append([]string{"ingest", "--progress", "never"}, args...)...); code != exitOK {
		t.Fatalf("ingest %v: exit %d: %s", args, code, stderr)
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n got %s\nwant %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(al), len(bl))
}

// TestShardMerge: the merge of the shards of a run equals the run.
func TestShardMerge(t *testing.T) {
	arch := testArchive(t)
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.parquet")
	ingestOK(t, arch, "-o", whole)
	var shards []string
	for k := 0; k < 3; k++ {
		p := filepath.Join(dir, fmt.Sprintf("shard-%d.parquet", k))
		ingestOK(t, arch, "-o", p, "--shard", fmt.Sprintf("%d/3", k))
		shards = append(shards, p)
	}
	merged := filepath.Join(dir, "merged.parquet")
	if code, _, stderr := runTailor(t, "", append([]string{"usage", "merge", "-o", merged}, shards...)...); code != exitOK {
		t.Fatal(stderr)
	}
	want := dumpIndex(t, whole)
	if got := dumpIndex(t, merged); got != want {
		t.Fatalf("merged shards differ from the whole run: %s", firstDiff(got, want))
	}
	if !strings.Contains(want, ",pending,") && !strings.Contains(dumpIndex(t, shards[0]), "pending,") {
		t.Log("no pending rows in the shards: sessions did not cross shards")
	}
}

// TestShardAuto: --shard auto/N takes K from the scheduler.
func TestShardAuto(t *testing.T) {
	env := map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "2"}
	s, err := parseShard("auto/4", func(k string) string { return env[k] })
	if err != nil || s.K != 2 || s.N != 4 {
		t.Errorf("auto/4 = %+v, %v", s, err)
	}
	env = map[string]string{"JOB_COMPLETION_INDEX": "1", "AWS_BATCH_JOB_ARRAY_INDEX": "3"}
	if s, _ := parseShard("auto/4", func(k string) string { return env[k] }); s.K != 1 {
		t.Errorf("JOB_COMPLETION_INDEX first: %+v", s)
	}
	for _, bad := range []string{"4/4", "-1/4", "a/4", "1", "1/0", "auto/3"} {
		if _, err := parseShard(bad, func(string) string { return "" }); err == nil {
			t.Errorf("parseShard(%q) succeeded", bad)
		}
	}
}

// TestCheckpointResume: a run stopped after some checkpoints and run
// again ends with the index an uninterrupted run writes.
func TestCheckpointResume(t *testing.T) {
	arch := testArchive(t)
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.parquet")
	ingestOK(t, arch, "-o", whole)

	out := filepath.Join(dir, "resumed.parquet")
	cp := filepath.Join(dir, "run.checkpoint")
	ctx, cancel := context.WithCancel(context.Background())
	go func() { // stop the run once a checkpoint is on disk
		for ctx.Err() == nil {
			if _, err := os.Stat(cp); err == nil {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	io, _, _, errOut := testIO()
	code := run(ctx, io, []string{"ingest", arch, "-o", out, "--checkpoint", cp, "--checkpoint-every", "5ms", "--workers", "1"})
	cancel()
	if code == exitOK {
		t.Skip("the run finished before it could be stopped")
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("an interrupted run wrote the index")
	}
	if !strings.Contains(errOut.String(), "run the same command again") {
		t.Errorf("stderr does not say how to go on:\n%s", errOut)
	}
	code, _, stderr := runTailor(t, "", "ingest", arch, "-o", out, "--checkpoint", cp, "--progress", "never")
	if code != exitOK || !strings.Contains(stderr, "resuming from checkpoint") {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if got, want := dumpIndex(t, out), dumpIndex(t, whole); got != want {
		t.Fatalf("resumed run differs from the uninterrupted one: %s", firstDiff(got, want))
	}
	if _, err := os.Stat(cp); !os.IsNotExist(err) {
		t.Error("the checkpoint is left after a finished run")
	}
}

// TestAppend: appending reads only objects the index has not read whole;
// the calls end up as in one run over everything, whatever window the
// index was first built with.
func TestAppend(t *testing.T) {
	arch := testArchive(t)
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.parquet")
	wholeEvents := filepath.Join(dir, "whole-events.parquet")
	ingestOK(t, arch, "-o", whole, "--events", wholeEvents)
	want := totals(dumpIndex(t, whole))
	if len(want) == 0 {
		t.Fatal("no rows")
	}
	countEvents := func(path string) int {
		n := 0
		if err := usage.ScanActivity(path, func(*usage.Activity) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i, window := range [][]string{
		{"--until", "2026-03-02"},
		{"--since", "2026-03-01T12:00:00Z", "--until", "2026-03-02T12:00:00Z"},
	} {
		ix := filepath.Join(dir, fmt.Sprintf("daily-%d.parquet", i))
		events := filepath.Join(dir, fmt.Sprintf("daily-%d-events.parquet", i))
		ingestOK(t, append([]string{arch, "-o", ix, "--events", events}, window...)...)
		first := dumpIndex(t, ix)
		for pass := 0; pass < 2; pass++ {
			code, _, stderr := runTailor(t, "", "ingest", arch, "--append", ix, "--events", events, "--progress", "never")
			if code != exitOK {
				t.Fatal(stderr)
			}
			if pass == 1 && !strings.HasPrefix(stderr, "read 0 files") {
				t.Errorf("%v: a second append read again: %s", window, stderr)
			}
		}
		if first == dumpIndex(t, ix) {
			t.Errorf("%v: append changed nothing", window)
		}
		got := totals(dumpIndex(t, ix))
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%v: %s: %s calls, want %s", window, k, got[k], v)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%v: %d total rows, want %d", window, len(got), len(want))
		}
		if n, w := countEvents(events), countEvents(wholeEvents); n != w {
			t.Errorf("%v: the appended activity log holds %d events, one run's %d", window, n, w)
		}
	}
}

// totals maps each group of call rows, caller account aside, to its
// calls, from usage show CSV. A session whose AssumeRole lies outside the
// window an index was first built with is not attributed to its caller
// when the window widens later: the calls are all there, the caller may
// not be.
func totals(csv string) map[string]string {
	n := map[string]int{}
	for _, line := range strings.Split(csv, "\n") {
		f := strings.Split(line, ",")
		if len(f) > 12 && f[0] == "call" && f[8] == "" { // a group's total
			calls, _ := strconv.Atoi(f[12])
			n[strings.Join(append(f[1:5:5], f[6:8]...), ",")+","+f[9]] += calls
		}
	}
	m := map[string]string{}
	for k, v := range n {
		m[k] = strconv.Itoa(v)
	}
	return m
}

// TestCheckpointKill: a tailor process killed with SIGKILL after a
// checkpoint, run again, ends with the index of an uninterrupted run.
func TestCheckpointKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	arch := testArchive(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "tailor")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	whole := filepath.Join(dir, "whole.parquet")
	ingestOK(t, arch, "-o", whole)

	out := filepath.Join(dir, "killed.parquet")
	cp := filepath.Join(dir, "run.checkpoint")
	cmd := exec.Command(bin, "ingest", arch, "-o", out, "--checkpoint", cp, "--checkpoint-every", "5ms", "--workers", "1", "--progress", "never")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	killed := false
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if _, err := os.Stat(cp); err == nil {
			killed = cmd.Process.Kill() == nil
			break
		}
		select {
		case <-done:
			t.Skip("the run finished before it could be killed")
		default:
		}
	}
	<-done
	if !killed {
		t.Fatal("no checkpoint appeared")
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a killed run left an index")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".killed.parquet.*")); len(leftovers) > 0 {
		t.Logf("temporary files a kill left behind: %v", leftovers)
	}
	if code, _, stderr := runTailor(t, "", "ingest", arch, "-o", out, "--checkpoint", cp, "--progress", "never"); code != exitOK {
		t.Fatalf("resume: %s", stderr)
	}
	if got, want := dumpIndex(t, out), dumpIndex(t, whole); got != want {
		t.Fatalf("the resumed run differs from the uninterrupted one: %s", firstDiff(got, want))
	}
}
