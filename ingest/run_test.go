package ingest_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/klauspost/compress/gzip"
	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/ingest"
	"github.com/tailor-sec/tailor/internal/shareddata"
	"github.com/tailor-sec/tailor/usage"
)

// record returns a small CloudTrail record of user u.
func record(u string, n int) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/%s","accountId":"111122223333"},"eventTime":"2026-10-01T10:%02d:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventID":"%s-%d"}`, u, n%60, u, n)
}

func records(u string, n int) string {
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(record(u, i))
	}
	b.WriteString("]}")
	return b.String()
}

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func write(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// run ingests dir into an index.
func run(t *testing.T, opts ingest.Options, srcs ...ingest.Source) (*ingest.Result, *usage.Index, error) {
	t.Helper()
	if opts.Workers == 0 {
		opts.Workers = 2
	}
	s := usage.NewSessions()
	bs := make([]*usage.Builder, opts.Workers)
	opts.NewSink = func(i int) ingest.Sink {
		bs[i] = usage.NewBuilder(usage.BuilderOptions{Sessions: s})
		return bs[i]
	}
	res, err := ingest.Run(context.Background(), srcs, opts)
	return res, usage.Finish(usage.Meta{}, bs...), err
}

// callsBy sums the calls per principal from the rows that total a group.
func callsBy(ix *usage.Index) map[string]int64 {
	out := map[string]int64{}
	for _, r := range ix.Select(usage.Query{}) {
		if r.Resource == "" {
			out[r.Principal] += r.Calls
		}
	}
	return out
}

// fetchedDir is a directory whose files are fetched ahead of the workers,
// into memory, as remote objects are.
type fetchedDir struct{ *ingest.Dir }

func (fetchedDir) Prefetch() int { return 3 }

// TestRunBadInput: every kind of bad file gets one message naming it and
// where it broke; what came before the break is kept; the rest of the run
// is unaffected.
func TestRunBadInput(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "good.json.gz", gz(records("good", 100)))
	write(t, dir, "not-gzip.json.gz", []byte("this is not gzip and not JSON"))
	full := gz(records("trunc", 2000))
	write(t, dir, "truncated.json.gz", full[:len(full)/2])
	mal := records("mal", 10)
	// A string closed early and the arrays and object with it: the ','
	// after them is where the JSON breaks.
	malPrefix := mal[:len(mal)/2] + `"}]}`
	write(t, dir, "malformed.json", []byte(malPrefix+`,}`+mal[len(mal)/2:]))
	malAt := fmt.Sprintf("malformed.json:%d:%d (byte %d)", strings.Count(malPrefix, "\n")+1,
		len(malPrefix)-strings.LastIndexByte(malPrefix, '\n'), len(malPrefix))
	write(t, dir, "not-cloudtrail.json", []byte(`{"manifest":{"files":["a","b"]}}`))
	write(t, dir, "empty.json", nil)
	// A zip whose second member's deflate data is corrupt.
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for _, m := range []string{"a.json", "b.json", "c.json"} {
		w, _ := zw.Create(m)
		w.Write([]byte(records("zip-"+m[:1], 200)))
	}
	zw.Close()
	zdata := zb.Bytes()
	k := bytes.Index(zdata, []byte("b.json")) + len("b.json") + 40
	for i := k; i < k+20; i++ {
		zdata[i] ^= 0x55
	}
	write(t, dir, "archive.zip", zdata)
	// One record of 50 MB between two small ones.
	big := `{"Records":[` + record("big", 1) + `,{"eventTime":"2026-10-01T11:00:00Z","eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy","requestParameters":{"policy":"` +
		strings.Repeat("x", 50<<20) + `"},"userIdentity":{"type":"IAMUser"}},` + record("big", 2) + `]}`
	write(t, dir, "big.json", []byte(big))
	write(t, dir, "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/10/01/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20261001T100000Z.json.gz", gz(`{"digestStartTime":"x"}`))

	// Files opened by the workers, and files fetched whole ahead of them
	// (as from S3), which are inflated where they lie.
	for _, src := range []ingest.Source{&ingest.Dir{Path: dir}, fetchedDir{&ingest.Dir{Path: dir}}} {
		t.Run(fmt.Sprintf("%T", src), func(t *testing.T) {
			res, ix, err := run(t, ingest.Options{}, src)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{
				"not-gzip.json.gz":   "not gzip-compressed despite its name",
				"truncated.json.gz":  "truncated gzip stream",
				"malformed.json":     malAt,
				"empty.json":         "empty input",
				"archive.zip:b.json": "unzip:",
				"big.json":           "record too large",
			}
			got := map[string]string{}
			for _, p := range res.Problems {
				rel, _ := filepath.Rel(dir, p.Path)
				got[rel] = p.Error()
				if !strings.HasPrefix(p.Error(), p.Path) {
					t.Errorf("message %q does not start with the file", p.Error())
				}
			}
			for f, msg := range want {
				if !strings.Contains(got[f], msg) {
					t.Errorf("%s: problem %q, want it to say %q", f, got[f], msg)
				}
			}
			if len(got) != len(want) {
				t.Errorf("problems %v, want one for each of %d files", got, len(want))
			}
			if len(res.NotLogs) != 1 || !strings.HasSuffix(res.NotLogs[0].Path, "not-cloudtrail.json") {
				t.Errorf("not logs = %v", res.NotLogs)
			}
			calls := callsBy(ix)
			user := func(u string) string { return "arn:aws:iam::111122223333:user/" + u }
			if calls[user("good")] != 100 || calls[user("zip-a")] != 200 || calls[user("zip-c")] != 200 || calls[user("big")] != 2 {
				t.Errorf("calls = %v", calls)
			}
			if n := calls[user("trunc")]; n < 100 || n >= 2000 {
				t.Errorf("truncated file kept %d records, want those before the cut", n)
			}
			if n := calls[user("mal")]; n < 1 || n >= 10 {
				t.Errorf("malformed file kept %d records, want those before the break", n)
			}
			if s := res.Stats; s.Failed != 6 || s.Skipped != 1 || s.Done != s.Objects || s.Objects != 8 {
				t.Errorf("stats = %+v, want 8 objects listed (the digest pruned by name), 6 failed, 1 skipped", s)
			}
		})
	}

	// --strict stops at the first problem.
	_, _, err := run(t, ingest.Options{Strict: true, Workers: 1}, &ingest.Dir{Path: dir})
	if !errors.Is(err, ingest.ErrUnreadable) {
		t.Errorf("strict run: err = %v, want ErrUnreadable", err)
	}
}

// TestRunSessionOrder: calls made with a vendor's session key are
// attributed to the vendor's account however the files are ordered and
// split between workers.
func TestRunSessionOrder(t *testing.T) {
	dir := t.TempDir()
	const role = "arn:aws:iam::111122223333:role/VendorRole"
	assume := func(akid string) string {
		return `{"eventVersion":"1.08","userIdentity":{"type":"AWSAccount","principalId":"AIDAV","accountId":"444455556666"},"eventTime":"2026-10-01T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"roleArn":"` + role + `","roleSessionName":"v","externalId":"secret"},"responseElements":{"credentials":{"accessKeyId":"` + akid + `"}}}`
	}
	call := func(akid string, n int) string {
		return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/VendorRole/v","accountId":"111122223333","accessKeyId":"%s","sessionContext":{"sessionIssuer":{"type":"Role","arn":"%s","accountId":"111122223333"}}},"eventTime":"2026-10-01T10:%02d:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeRegions","awsRegion":"eu-west-1","recipientAccountId":"111122223333"}`, akid, role, n)
	}
	// Calls first in name order, in another region's files; the
	// AssumeRole records come last.
	for i := 0; i < 20; i++ {
		akid := fmt.Sprintf("ASIAVENDOR%010d", i)
		write(t, dir, fmt.Sprintf("a-calls-%02d.json", i), []byte(`{"Records":[`+call(akid, 1)+","+call(akid, 2)+`]}`))
		write(t, dir, fmt.Sprintf("z-assume-%02d.json", i), []byte(`{"Records":[`+assume(akid)+`]}`))
	}
	_, ix, err := run(t, ingest.Options{Workers: 2}, &ingest.Dir{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	byCaller := map[string]int64{}
	for _, r := range ix.Select(usage.Query{Principals: []string{role}}) {
		if r.Resource == "" {
			byCaller[r.CallerAccount] += r.Calls
		}
	}
	if byCaller["444455556666"] != 40 || len(byCaller) != 1 {
		t.Errorf("calls by caller = %v, want all 40 from 444455556666", byCaller)
	}
}

// TestRunFilter: the window, accounts, regions and principals select
// records; the principal filter also selects AssumeRole calls into a
// matching role; coverage counts all records of the window.
func TestRunFilter(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.json", []byte(records("alice", 50)+records("bob", 10)))
	since := time.Date(2026, 10, 1, 10, 10, 0, 0, time.UTC)
	res, ix, err := run(t, ingest.Options{Filter: ingest.Filter{Since: since, Principals: []string{"*alice"}}}, &ingest.Dir{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	calls := callsBy(ix)
	if calls["arn:aws:iam::111122223333:user/alice"] != 40 || len(calls) != 1 {
		t.Errorf("calls = %v, want alice's 40 records from 10:10", calls)
	}
	cov := ix.Select(usage.Query{Kinds: []usage.Kind{usage.KindCoverage}})
	if len(cov) != 1 || cov[0].Calls != 40 {
		// bob's records are all before 10:10: only alice's 40 are in the window
		t.Errorf("coverage = %+v", cov)
	}
	if res.Stats.Events != 60 || res.Stats.Selected != 40 {
		t.Errorf("stats = %+v", res.Stats)
	}
}

// TestRunCorpusCounts ingests the whole real corpus, writes the index,
// reads it back with Apache Arrow's Parquet reader and checks the calls
// per principal against an encoding/json count of the same records, in
// which copies of one event (the same eventID, time, account, region and
// event) count once: the corpus holds a log file beside its gunzipped twin,
// events repeated across data sets and documentation examples shown twice.
func TestRunCorpusCounts(t *testing.T) {
	streams := shareddata.CloudTrailStreams(t) // skips when the corpus is absent
	want := map[string]int64{}
	seen := map[string]bool{}
	var records, copies int
	for name, data := range streams {
		recs, _ := refDecode(data)
		for _, r := range recs {
			records++
			if k, ok := r.event(name); ok {
				if seen[k] {
					copies++
					continue
				}
				seen[k] = true
			}
			want[r.principal()]++
		}
	}
	src, err := ingest.LocalSource(filepath.Join(corpusDir(t)), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, ix, err := run(t, ingest.Options{}, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Path, "cloudtrail.zip:aws.execution.ec2-user-data.json") {
		t.Errorf("problems = %v, want only the known-broken zip member", res.Problems)
	}
	path := filepath.Join(t.TempDir(), "usage.parquet")
	if err := ix.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	got := arrowCallsByPrincipal(t, path)
	for p, n := range want {
		if got[p] != n {
			t.Errorf("%s: index has %d calls, records %d", p, got[p], n)
		}
	}
	for p, n := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: index has %d calls, no records", p, n)
		}
	}
	if res.Stats.Duplicates == 0 || int(res.Stats.Duplicates) > copies {
		t.Errorf("stats = %+v, reference copies %d", res.Stats, copies)
	}
	// trailscraper's fixture lies beside its gunzipped twin, and its smoke
	// test repeats the same events: one call each.
	rows := ix.Select(usage.Query{Principals: []string{"arn:aws:iam::111111111111:role/someRole"}})
	var describe int64
	for _, r := range rows {
		if r.EventName == "DescribeLaunchConfigurations" && r.Resource == "" {
			describe += r.Calls
		}
	}
	if describe != 1 {
		t.Errorf("trailscraper's DescribeLaunchConfigurations: %d calls, want 1", describe)
	}
	const twin = "trailscraper/111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json"
	twinPath, err := ingest.Canonical(filepath.Join(corpusDir(t), twin))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Identical) != 1 || !slices.Equal(sortedStrings(res.Identical[0].Name, res.Identical[0].Of), []string{twinPath, twinPath + ".gz"}) {
		t.Errorf("identical objects = %+v, want trailscraper's file and its gzipped twin", res.Identical)
	}
	t.Logf("%d principals, %d records, %d copies of events (reference %d), %d identical objects",
		len(want), records, res.Stats.Duplicates, copies, len(res.Identical))
}

// arrowCallsByPrincipal sums calls of total call rows per principal,
// reading the file with Apache Arrow.
func arrowCallsByPrincipal(t *testing.T, path string) map[string]int64 {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	tr := array.NewTableReader(tbl, 4096)
	defer tr.Release()
	out := map[string]int64{}
	str := func(a any, i int) string {
		switch a := a.(type) {
		case *array.String:
			return a.Value(i)
		case *array.Dictionary:
			return a.Dictionary().(*array.String).Value(a.GetValueIndex(i))
		}
		t.Fatalf("string column of type %T", a)
		return ""
	}
	idx := func(name string) int { return tbl.Schema().FieldIndices(name)[0] }
	for tr.Next() {
		rec := tr.Record()
		kind, princ, res, calls := rec.Column(idx("kind")), rec.Column(idx("principal")), rec.Column(idx("resource")), rec.Column(idx("calls")).(*array.Int64)
		for i := 0; i < int(rec.NumRows()); i++ {
			if str(kind, i) == "call" && str(res, i) == "" {
				out[str(princ, i)] += calls.Value(i)
			}
		}
	}
	return out
}

// countingSink counts events and the objects reported done, taking
// pause for each object.
type countingSink struct {
	events  int
	objects []string
	pause   time.Duration
}

func (c *countingSink) Add(*tailor.Event, bool) { c.events++ }
func (c *countingSink) ObjectDone(name string, _ ingest.Object, _ ingest.ObjectRead) {
	time.Sleep(c.pause) // slow objects, so that checkpoints come between them
	c.objects = append(c.objects, name)
}

// TestRunShards: the shards of a run partition its objects, balanced by
// size, and each object is read whole by exactly one.
func TestRunShards(t *testing.T) {
	dir := t.TempDir()
	sizes := map[string]int{}
	for i := 0; i < 40; i++ {
		n := 1 + (i*37)%23
		name := fmt.Sprintf("f%02d.json", i)
		write(t, dir, name, []byte(records(fmt.Sprint("u", i), n)))
		sizes[filepath.Join(dir, name)] = n
	}
	seen := map[string]int{}
	var loads []int64
	for k := 0; k < 3; k++ {
		var sinks []*countingSink
		res, err := ingest.Run(context.Background(), []ingest.Source{&ingest.Dir{Path: dir}}, ingest.Options{
			Workers: 2, Shard: ingest.Shard{K: k, N: 3},
			NewSink: func(int) ingest.Sink { s := &countingSink{}; sinks = append(sinks, s); return s },
		})
		if err != nil {
			t.Fatal(err)
		}
		events := 0
		for _, s := range sinks {
			events += s.events
			for _, o := range s.objects {
				seen[o]++
				events -= sizes[o]
			}
		}
		if events != 0 {
			t.Errorf("shard %d: events and objects disagree by %d", k, events)
		}
		loads = append(loads, res.Stats.Bytes)
	}
	if len(seen) != 40 {
		t.Errorf("shards read %d of 40 objects", len(seen))
	}
	for o, n := range seen {
		if n != 1 {
			t.Errorf("%s read %d times", o, n)
		}
	}
	lo, hi := slices.Min(loads), slices.Max(loads)
	if float64(hi-lo) > 0.1*float64(hi) {
		t.Errorf("shard sizes %v are not balanced", loads)
	}
}

// TestRunCheckpoints: sinks handed over at checkpoints hold whole
// objects; with those the workers end with, every object is counted once.
func TestRunCheckpoints(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 200; i++ {
		write(t, dir, fmt.Sprintf("f%03d.json", i), []byte(records(fmt.Sprint("u", i), 50)))
	}
	var mu sync.Mutex
	var all []*countingSink
	handed := map[*countingSink]bool{}
	checkpoints := 0
	_, err := ingest.Run(context.Background(), []ingest.Source{&ingest.Dir{Path: dir}}, ingest.Options{
		Workers:         2,
		CheckpointEvery: time.Millisecond,
		Checkpoint: func(sinks []ingest.Sink, _ []ingest.Seen) error {
			checkpoints++
			for _, s := range sinks {
				handed[s.(*countingSink)] = true
			}
			time.Sleep(2 * time.Millisecond) // checkpoints take time; workers go on
			return nil
		},
		NewSink: func(int) ingest.Sink {
			s := &countingSink{pause: 200 * time.Microsecond}
			mu.Lock()
			all = append(all, s)
			mu.Unlock()
			return s
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if checkpoints == 0 || len(handed) == 0 {
		t.Fatalf("%d checkpoints, %d sinks handed over: the run was too quick to test", checkpoints, len(handed))
	}
	objects, events := map[string]int{}, 0
	for _, s := range all {
		for _, o := range s.objects {
			objects[o]++
		}
		if s.events != 50*len(s.objects) {
			t.Errorf("a sink holds %d events of %d objects: not whole objects", s.events, len(s.objects))
		}
		events += s.events
	}
	if len(objects) != 200 || events != 200*50 {
		t.Errorf("%d objects, %d events; want 200 and 10000", len(objects), events)
	}
	for o, n := range objects {
		if n != 1 {
			t.Errorf("%s counted %d times", o, n)
		}
	}
}

func sortedStrings(s ...string) []string {
	slices.Sort(s)
	return s
}

// TestRunShardResumed: a shard resumed from a checkpoint (Known skips what
// it read) reads the rest of its own part, not a part of what is left.
func TestRunShardResumed(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 40; i++ {
		write(t, dir, fmt.Sprintf("f%02d.json", i), []byte(records(fmt.Sprint("u", i), 1+(i*37)%23)))
	}
	read := func(known func(string) bool) []string {
		var sinks []*countingSink
		opts := ingest.Options{
			Workers: 1, Shard: ingest.Shard{K: 1, N: 3},
			NewSink: func(int) ingest.Sink { s := &countingSink{}; sinks = append(sinks, s); return s },
		}
		if known != nil {
			opts.Known = func(name string, _ ingest.Object) (bool, *ingest.Window) { return known(name), nil }
		}
		if _, err := ingest.Run(context.Background(), []ingest.Source{&ingest.Dir{Path: dir}}, opts); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range sinks {
			out = append(out, s.objects...)
		}
		slices.Sort(out)
		return out
	}
	part := read(nil)
	done := map[string]bool{}
	var rest []string
	for i, o := range part {
		if i%2 == 0 {
			done[o] = true
		} else {
			rest = append(rest, o)
		}
	}
	if got := read(func(name string) bool { return done[name] }); !slices.Equal(got, rest) {
		t.Errorf("resumed shard read %q, want the rest of its part %q", got, rest)
	}
}
