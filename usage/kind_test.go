package usage_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/usage"
)

// kindFiles writes one file of each kind the package tells apart, and
// others, into a temporary directory.
func kindFiles(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	evs := events(3, 200)
	s := usage.NewSessions()
	sp, err := usage.NewActivitySpool(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		sp.Add(ev, true)
	}
	finish := func(meta usage.Meta) *usage.Index {
		b := usage.NewBuilder(usage.BuilderOptions{Sessions: usage.NewSessions()})
		for _, ev := range evs {
			b.Add(ev, true)
		}
		return usage.Finish(meta, b)
	}
	files := map[string]string{}
	path := func(name string) string {
		files[name] = filepath.Join(dir, name)
		return files[name]
	}
	ix := finish(usage.Meta{Tool: "tailor test", Created: time.Now()})
	if err := ix.WriteFile(path("usage.parquet")); err != nil {
		t.Fatal(err)
	}
	// What an interrupted ingest leaves: partial, written by no tool.
	cp := finish(usage.Meta{Partial: true})
	if err := cp.WriteFile(path("checkpoint.parquet")); err != nil {
		t.Fatal(err)
	}
	// A shard is partial too, but a tool wrote it.
	shard := finish(usage.Meta{Partial: true, Tool: "tailor test"})
	if err := shard.WriteFile(path("shard.parquet")); err != nil {
		t.Fatal(err)
	}
	if err := usage.FinishActivity(path("events.parquet"), false, s, sp); err != nil {
		t.Fatal(err)
	}
	// The same columns without tailor's metadata, as another engine
	// writes them.
	type indexRow struct {
		Kind         string `parquet:"kind"`
		Day          int32  `parquet:"day,date"`
		Account      string `parquet:"account"`
		Principal    string `parquet:"principal"`
		EventSource  string `parquet:"event_source"`
		EventName    string `parquet:"event_name"`
		Calls        int64  `parquet:"calls"`
		RequestParam string `parquet:"request_params"`
	}
	if err := parquet.WriteFile(path("athena.parquet"), []indexRow{{Kind: "call", Day: 20000, Account: "111122223333",
		Principal: "arn:aws:iam::111122223333:role/r", EventSource: "s3.amazonaws.com", EventName: "GetObject", Calls: 3}}); err != nil {
		t.Fatal(err)
	}
	type activityRow struct {
		Time        int64  `parquet:"time,timestamp(millisecond)"`
		Account     string `parquet:"account"`
		Principal   string `parquet:"principal"`
		EventSource string `parquet:"event_source"`
		EventName   string `parquet:"event_name"`
	}
	if err := parquet.WriteFile(path("athena-activity.parquet"), []activityRow{{Time: 1, Account: "111122223333",
		Principal: "arn:aws:iam::111122223333:role/r", EventSource: "s3.amazonaws.com", EventName: "GetObject"}}); err != nil {
		t.Fatal(err)
	}
	type otherRow struct {
		Name  string `parquet:"name"`
		Count int64  `parquet:"count"`
	}
	if err := parquet.WriteFile(path("other.parquet"), []otherRow{{"a", 1}}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path("iam.json"), []byte(`{"UserDetailList": []}`), 0o644)
	os.WriteFile(path("truncated.parquet"), []byte("PAR1\x15\x00 cut"), 0o644)
	return files
}

func TestRecognize(t *testing.T) {
	files := kindFiles(t)
	want := map[string]tailor.Kind{
		"usage.parquet":           tailor.KindUsageIndex,
		"checkpoint.parquet":      tailor.KindCheckpoint,
		"shard.parquet":           tailor.KindUsageIndex,
		"events.parquet":          tailor.KindActivityLog,
		"athena.parquet":          tailor.KindUsageIndex,
		"athena-activity.parquet": tailor.KindActivityLog,
		"other.parquet":           tailor.KindUnknown,
		"iam.json":                tailor.KindUnknown,
		"truncated.parquet":       tailor.KindUnknown,
	}
	for name, k := range want {
		got, err := usage.Recognize(files[name])
		if err != nil || got != k {
			t.Errorf("Recognize(%s) = %q, %v; want %q", name, got, err, k)
		}
	}
	if got, err := usage.Recognize(filepath.Dir(files["iam.json"])); err != nil || got != tailor.KindUnknown {
		t.Errorf("Recognize(dir) = %q, %v", got, err)
	}
	if _, err := usage.Recognize(files["iam.json"] + ".missing"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Recognize(missing) error %v", err)
	}
}

// TestReadWrongKind: each reader refuses the other's file, and says what
// it is; the case was the index read as 3,287 events of 1970.
func TestReadWrongKind(t *testing.T) {
	files := kindFiles(t)
	for _, name := range []string{"usage.parquet", "checkpoint.parquet", "shard.parquet", "athena.parquet"} {
		if _, err := usage.ReadFile(files[name]); err != nil {
			t.Errorf("ReadFile(%s): %v", name, err)
		}
	}
	for _, name := range []string{"events.parquet", "athena-activity.parquet"} {
		if err := usage.ScanActivity(files[name], func(*usage.Activity) error { return nil }); err != nil {
			t.Errorf("ScanActivity(%s): %v", name, err)
		}
	}
	tests := []struct {
		name, read string
		want       string
		sentinel   error
	}{
		{"events.parquet", "index", "usage: " + files["events.parquet"] + " is an activity log, not a usage index (the file 'tailor ingest -o' writes)", usage.ErrFormat},
		{"iam.json", "index", "usage: " + files["iam.json"] + " is JSON, not a usage index (the file 'tailor ingest -o' writes)", usage.ErrFormat},
		{"other.parquet", "index", "usage: " + files["other.parquet"] + ` is a Parquet file, not a usage index: no tailor.usage.schema_version or tailor.activity.schema_version in its metadata, and no column "day" (the file 'tailor ingest -o' writes)`, usage.ErrFormat},
		{"usage.parquet", "activity", "usage: " + files["usage.parquet"] + " is a usage index, not an activity log (the file 'tailor ingest --events' writes)", usage.ErrActivityFormat},
		{"checkpoint.parquet", "activity", "usage: " + files["checkpoint.parquet"] + " is an ingest checkpoint, not an activity log (the file 'tailor ingest --events' writes)", usage.ErrActivityFormat},
		{"iam.json", "activity", "usage: " + files["iam.json"] + " is JSON, not an activity log (the file 'tailor ingest --events' writes)", usage.ErrActivityFormat},
	}
	for _, tt := range tests {
		var err error
		if tt.read == "index" {
			_, err = usage.ReadFile(files[tt.name])
		} else {
			n := 0
			err = usage.ScanActivity(files[tt.name], func(*usage.Activity) error { n++; return nil })
			if n > 0 {
				t.Errorf("ScanActivity(%s) read %d events", tt.name, n)
			}
		}
		if err == nil || err.Error() != tt.want || !errors.Is(err, tailor.ErrKind) || !errors.Is(err, tt.sentinel) {
			t.Errorf("read %s as %s: error\n%v\nwant\n%s", tt.name, tt.read, err, tt.want)
		}
	}
}
