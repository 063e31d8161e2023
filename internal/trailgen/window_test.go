package trailgen

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A busy window becomes several files of at most maxFile bytes with the
// same time stamp, as CloudTrail splits large deliveries.
func TestWriteWindowSplits(t *testing.T) {
	o := Options{Size: 64 << 20, Accounts: 1, Regions: 1, Days: 1}.withDefaults()
	w := newArchiveWorld(o)
	dir := t.TempDir()
	var res unitResult
	T := w.start.Add(14 * time.Hour)
	target := float64(maxFile*2 + maxFile/2)
	if err := w.writeWindow(dir, w.accounts[0], 0, T, nil, target, 0, newWriterState(true), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.files) != 3 {
		t.Fatalf("wrote %d files for %.0f bytes, want 3", len(res.files), target)
	}
	if float64(res.bytes) < target || res.bytes > int64(target)+4*maxFile/100 {
		t.Errorf("wrote %d bytes for a target of %.0f", res.bytes, target)
	}
	var records int64
	for _, f := range res.files {
		if !f.t.Equal(T) {
			t.Errorf("%s: file time %v, want %v", f.key, f.t, T)
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.key)))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Records []json.RawMessage }
		if err := json.NewDecoder(zr).Decode(&doc); err != nil {
			t.Fatalf("%s: %v", f.key, err)
		}
		records += int64(len(doc.Records))
		size := 0
		for _, r := range doc.Records {
			size += len(r) + 1
		}
		if size > maxFile+64<<10 {
			t.Errorf("%s holds %d bytes of records, more than %d", f.key, size, maxFile)
		}
	}
	if records != res.records {
		t.Errorf("files hold %d records, result says %d", records, res.records)
	}
}
