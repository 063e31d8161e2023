package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/internal/trailgen"
	"github.com/tailor-sec/tailor/usage"
)

// overlapArchives writes, with the same seed, an organization trail alone
// and the same with every record delivered again by the account trails.
func overlapArchives(t *testing.T) (plain, both string) {
	t.Helper()
	dir := t.TempDir()
	plain, both = filepath.Join(dir, "plain"), filepath.Join(dir, "both")
	opts := trailgen.Options{Size: 3 << 20, Accounts: 2, Regions: 2, Days: 3, OrgID: "o-a1b2c3d4e5", Seed: 11,
		Start: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := trailgen.WriteArchive(context.Background(), plain, opts); err != nil {
		t.Fatal(err)
	}
	opts.Overlap = true
	sum, err := trailgen.WriteArchive(context.Background(), both, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("overlapping trails: %v", sum)
	return plain, both
}

// withoutSources is an index dump without its source rows, which name the
// objects read: what the logs say, not where they lay.
func withoutSources(dump string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(dump, "\n") {
		if !strings.HasPrefix(line, "source,") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// TestOverlappingTrails: an organization trail and the account trails that
// deliver the same events give, row for row but for the source rows, the
// index of the organization trail alone; so do their shards merged, and two
// runs appended one to the other with copies on both sides of the cut.
func TestOverlappingTrails(t *testing.T) {
	plain, both := overlapArchives(t)
	out := t.TempDir()
	want := filepath.Join(out, "plain.parquet")
	ingestOK(t, plain, "-o", want)
	wantDump := withoutSources(dumpIndex(t, want))
	if n := strings.Count(wantDump, "\ncall,"); n < 100 {
		t.Fatalf("only %d call rows", n)
	}

	t.Run("one run", func(t *testing.T) {
		got := filepath.Join(out, "both.parquet")
		code, _, stderr := runTailor(t, "", "ingest", "--progress", "never", both, "-o", got)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.Contains(stderr, "copies of events counted once") {
			t.Errorf("the summary does not say copies were dropped: %s", stderr)
		}
		if d := withoutSources(dumpIndex(t, got)); d != wantDump {
			t.Errorf("index of overlapping trails differs: %s", firstDiff(d, wantDump))
		}
	})

	t.Run("shards", func(t *testing.T) {
		var shards []string
		for k := range 3 {
			p := filepath.Join(out, fmt.Sprintf("shard-%d.parquet", k))
			ingestOK(t, both, "--shard", fmt.Sprintf("%d/3", k), "-o", p)
			shards = append(shards, p)
		}
		held := 0
		for _, p := range shards {
			ix, err := usage.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			_, h := ix.Edges()
			held += h
		}
		if held == 0 {
			t.Error("no shard holds an event for the merge: the test does not split copies across shards")
		}
		merged := filepath.Join(out, "merged.parquet")
		if code, _, stderr := runTailor(t, "", append([]string{"usage", "merge", "-o", merged}, shards...)...); code != exitOK {
			t.Fatalf("merge: %s", stderr)
		}
		if d := withoutSources(dumpIndex(t, merged)); d != wantDump {
			t.Errorf("merge of the shards differs: %s", firstDiff(d, wantDump))
		}
	})

	t.Run("checkpoints", func(t *testing.T) {
		// Stopped at its first checkpoints, twice, then run to the end: the
		// resumed runs must not count again what a checkpoint counted.
		got := filepath.Join(out, "resumed.parquet")
		cp := filepath.Join(out, "run.checkpoint")
		stops := 0
		for range 2 {
			ctx, cancel := context.WithCancel(context.Background())
			before := time.Time{}
			if st, err := os.Stat(cp); err == nil {
				before = st.ModTime()
			}
			go func() { // stop the run once it writes a checkpoint
				for ctx.Err() == nil {
					if st, err := os.Stat(cp); err == nil && st.ModTime().After(before) {
						cancel()
						return
					}
					time.Sleep(time.Millisecond)
				}
			}()
			io, _, _, _ := testIO()
			code := run(ctx, io, []string{"ingest", both, "-o", got, "--checkpoint", cp, "--checkpoint-every", "5ms", "--workers", "1", "--progress", "never"})
			cancel()
			if code == exitOK {
				break
			}
			stops++
		}
		if stops == 0 {
			t.Skip("the run finished before it could be stopped")
		}
		if _, err := os.Stat(got); err != nil {
			code, _, stderr := runTailor(t, "", "ingest", both, "-o", got, "--checkpoint", cp, "--progress", "never")
			if code != exitOK || !strings.Contains(stderr, "resuming from checkpoint") {
				t.Fatalf("resume: exit %d: %s", code, stderr)
			}
		}
		if d := withoutSources(dumpIndex(t, got)); d != wantDump {
			t.Errorf("index resumed from checkpoints (%d stops) differs: %s", stops, firstDiff(d, wantDump))
		}
	})

	t.Run("append", func(t *testing.T) {
		// The files delivered before noon of the second day, then the rest:
		// the account trail delivers some copies after the cut.
		cut := time.Date(2026, 5, 2, 12, 0, 0, 0, time.UTC)
		dir := filepath.Join(out, "delivered")
		var later []string
		err := filepath.WalkDir(both, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(both, path)
			k, _ := ingest.ParseLogKey(rel)
			if !k.Time.Before(cut) {
				later = append(later, rel)
				return nil
			}
			return copyFile(path, filepath.Join(dir, rel))
		})
		if err != nil {
			t.Fatal(err)
		}
		ix := filepath.Join(out, "appended.parquet")
		ingestOK(t, dir, "-o", ix)
		for _, rel := range later {
			if err := copyFile(filepath.Join(both, rel), filepath.Join(dir, rel)); err != nil {
				t.Fatal(err)
			}
		}
		ingestOK(t, dir, "--append", ix)
		if d := withoutSources(dumpIndex(t, ix)); d != wantDump {
			t.Errorf("index appended across the cut differs: %s", firstDiff(d, wantDump))
		}
	})
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o644)
}

// recID is a record with an event id.
func recID(user, at, id string) string {
	return `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/` + user +
		`","accountId":"111122223333"},"eventTime":"` + at + `","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventID":"` + id + `"}`
}

// records returns a delivery file of n records of user from at, a second
// apart, with ids of prefix.
func deliveryFile(user string, n int, prefix string) string {
	var recs []string
	start := time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)
	for i := range n {
		recs = append(recs, recID(user, start.Add(time.Duration(i)*time.Second).Format(time.RFC3339), fmt.Sprintf("%s-%04d-4000-8000-000000000000", prefix, i)))
	}
	return `{"Records":[` + strings.Join(recs, ",") + `]}`
}

// callsOf sums the calls of the total call rows of an index.
func callsOf(t *testing.T, path string) int64 {
	t.Helper()
	ix, err := usage.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, r := range ix.Select(usage.Query{}) {
		if r.Resource == "" {
			n += r.Calls
		}
	}
	return n
}

// TestIdenticalFiles: a file, its gzipped twin and a copy elsewhere are
// read once, and the run says which it did not read.
func TestIdenticalFiles(t *testing.T) {
	dir := t.TempDir()
	body := deliveryFile("alice", 100, "aaaaaaaa")
	for name, data := range map[string][]byte{
		"a/x.json":       []byte(body),
		"a/x.json.gz":    gzipped(body),
		"b/copy.json":    []byte(body),
		"b/other.json":   []byte(deliveryFile("bob", 10, "bbbbbbbb")),
		"b/shifted.json": []byte(deliveryFile("alice", 100, "aaaaaaaa") + "\n"), // same records, other bytes
	} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ix := filepath.Join(t.TempDir(), "usage.parquet")
	code, _, stderr := runTailor(t, "", "ingest", "--progress", "never", dir, "-o", ix)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := callsOf(t, ix); got != 110 {
		t.Errorf("%d calls, want 110 (alice's 100 once, bob's 10)", got)
	}
	if !strings.Contains(stderr, "read 3 files, 2 identical to another (read once)") {
		t.Errorf("summary: %s", stderr)
	}
	if n := strings.Count(stderr, "identical: "); n != 2 {
		t.Errorf("%d notices of identical objects, want 2: %s", n, stderr)
	}
	if !strings.Contains(stderr, "100 copies of events counted once") {
		t.Errorf("shifted.json's 100 records are copies: %s", stderr)
	}
}

// TestAppendCanonicalName: --append knows the objects it read however the
// source's path is spelled (issue 14, item 5: calls went 100 → 200).
func TestAppendCanonicalName(t *testing.T) {
	root := t.TempDir()
	logs := filepath.Join(root, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	// No event ids: only the object's name can tell it was read.
	var recs []string
	for i := range 100 {
		recs = append(recs, rec("alice", time.Date(2026, 10, 1, 10, 0, i%60, 0, time.UTC).Add(time.Duration(i/60)*time.Minute).Format(time.RFC3339)))
	}
	if err := os.WriteFile(filepath.Join(logs, "a.json"), []byte(`{"Records":[`+strings.Join(recs, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(logs, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	ix := filepath.Join(root, "usage.parquet")
	t.Chdir(root)
	ingestOK(t, "logs", "-o", ix)
	for _, spelling := range []string{logs, "./logs/", filepath.Join(root, "link"), "logs/a.json", filepath.Join(root, "logs", "..", "logs")} {
		code, _, stderr := runTailor(t, "", "ingest", "--progress", "never", spelling, "--append", ix)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", spelling, code, stderr)
		}
		if got := callsOf(t, ix); got != 100 {
			t.Fatalf("after --append of %s: %d calls, want 100", spelling, got)
		}
	}
}

// TestMergeOverlap: a merge of indexes built from the same objects over
// overlapping windows is refused, naming both (issue 14, item 6: an index
// merged with itself doubled its calls); over disjoint windows it is not.
func TestMergeOverlap(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, user := range []string{"alice", "bob", "carol", "dave"} {
		body := deliveryFile(user, 50, fmt.Sprintf("%08d", i))
		if err := os.WriteFile(filepath.Join(logs, user+".json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	full := filepath.Join(dir, "full.parquet")
	ingestOK(t, logs, "-o", full)
	shard := filepath.Join(dir, "shard.parquet")
	ingestOK(t, logs, "--shard", "0/2", "-o", shard)
	out := filepath.Join(dir, "merged.parquet")
	for _, inputs := range [][]string{{full, full}, {shard, full}} {
		code, _, stderr := runTailor(t, "", append([]string{"usage", "merge", "-o", out}, inputs...)...)
		if code == exitOK {
			t.Fatalf("merge of %v succeeded", inputs)
		}
		if !strings.Contains(stderr, inputs[0]) || !strings.Contains(stderr, inputs[1]) || !strings.Contains(stderr, "count those records twice") {
			t.Errorf("merge of %v: %s", inputs, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("merge of %v wrote %s", inputs, out)
		}
	}
	// The same objects, disjoint windows: the records of each window once.
	before, after := filepath.Join(dir, "before.parquet"), filepath.Join(dir, "after.parquet")
	ingestOK(t, logs, "--until", "2026-10-01T10:00:20Z", "-o", before)
	ingestOK(t, logs, "--since", "2026-10-01T10:00:20Z", "-o", after)
	if code, _, stderr := runTailor(t, "", "usage", "merge", "-o", out, before, after); code != exitOK {
		t.Fatalf("merge of disjoint windows: %s", stderr)
	}
	if got, want := callsOf(t, out), callsOf(t, full); got != want {
		t.Errorf("merge of disjoint windows: %d calls, want %d", got, want)
	}
}
