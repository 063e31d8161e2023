package ingest_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/ingest"
)

func TestRecognize(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "decode", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	zipOf := func(members map[string][]byte) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, b := range members {
			w, _ := zw.Create(name)
			w.Write(b)
		}
		zw.Close()
		return buf.Bytes()
	}
	tests := []struct {
		path string
		want tailor.Kind
	}{
		{write("records.json", read("records.json")), tailor.KindCloudTrail},
		{write("array.json", read("array.json")), tailor.KindCloudTrail},
		{write("lines.jsonl", read("lines.jsonl")), tailor.KindCloudTrail},
		{write("lookup-events.json", read("lookup-events.json")), tailor.KindCloudTrail},
		{write("lookup-lines.jsonl", read("lookup-lines.jsonl")), tailor.KindCloudTrail},
		// Broken after the first record: still a log, which ingest reads
		// up to the break.
		{write("truncated.json", read("truncated.json")), tailor.KindCloudTrail},
		{write("malformed-middle.json", read("malformed-middle.json")), tailor.KindCloudTrail},
		{write("records.json.gz", gz(read("records.json"))), tailor.KindCloudTrail},
		{write("logs.zip", zipOf(map[string][]byte{"README.txt": []byte("x"), "a/records.json.gz": gz(read("records.json"))})), tailor.KindCloudTrail},
		{write("digest.json.gz", gz(read("digest.json"))), tailor.KindCloudTrailDigest},
		{write("not-cloudtrail.json", read("not-cloudtrail.json")), tailor.KindUnknown},
		{write("empty.json", read("empty.json")), tailor.KindUnknown},
		{write("text.gz", gz([]byte("hello"))), tailor.KindUnknown},
		{write("cut.json.gz", gz(read("records.json"))[:20]), tailor.KindUnknown},
		{write("other.zip", zipOf(map[string][]byte{"README.txt": []byte("x")})), tailor.KindUnknown},
		{write("usage.parquet", []byte("PAR1\x15\x04")), tailor.KindUnknown},
	}
	for _, tt := range tests {
		if got, err := ingest.Recognize(tt.path); err != nil || got != tt.want {
			t.Errorf("Recognize(%s) = %q, %v; want %q", filepath.Base(tt.path), got, err, tt.want)
		}
	}

	// Directories: by the first log files found in them.
	logs := write("AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/05/111122223333_CloudTrail_us-east-1_20261005T0000Z_a.json.gz", gz(read("records.json")))
	write("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/10/05/d.json.gz", gz(read("digest.json")))
	write("notes/manifest.json", read("not-cloudtrail.json"))
	write("notes/README.txt", []byte("not a log"))
	os.MkdirAll(filepath.Join(dir, "nothing"), 0o755)
	for path, want := range map[string]tailor.Kind{
		filepath.Join(dir, "AWSLogs"):           tailor.KindCloudTrailDir,
		filepath.Dir(logs):                      tailor.KindCloudTrailDir,
		filepath.Join(dir, "notes"):             tailor.KindUnknown,
		filepath.Join(dir, "nothing"):           tailor.KindUnknown,
		filepath.Join("..", "testdata", "demo"): tailor.KindCloudTrailDir,
	} {
		if got, err := ingest.Recognize(path); err != nil || got != want {
			t.Errorf("Recognize(%s) = %q, %v; want %q", path, got, err, want)
		}
	}
	if _, err := ingest.Recognize(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: error %v", err)
	}
}
