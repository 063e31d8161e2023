package trailgen_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/internal/trailgen"
)

// A logFile is one decoded log file of a generated archive.
type logFile struct {
	rel     string // path relative to the archive root, with slashes
	raw     []byte // uncompressed content
	records []map[string]any
	// From the path: account, region and file time.
	account, region string
	t               time.Time
}

var logName = regexp.MustCompile(`^(?:(.+)/)?AWSLogs/(?:(o-[a-z0-9]+)/)?(\d{12})/CloudTrail/([a-z]{2}-[a-z]+-\d)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail_([a-z]{2}-[a-z]+-\d)_(\d{8}T\d{4}Z)_([A-Za-z0-9]{16})\.json\.gz$`)

var digestName = regexp.MustCompile(`^(?:(.+)/)?AWSLogs/(?:(o-[a-z0-9]+)/)?(\d{12})/CloudTrail-Digest/([a-z]{2}-[a-z]+-\d)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail-Digest_([a-z]{2}-[a-z]+-\d)_([A-Za-z0-9-]+)_([a-z]{2}-[a-z]+-\d)_(\d{8}T\d{6}Z)\.json\.gz$`)

// gunzip decompresses b with the standard library's reader, independent
// of the compressor the generator uses.
func gunzip(t *testing.T, name string, b []byte) ([]byte, *gzip.Header) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: open gzip: %v", name, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: read gzip: %v", name, err)
	}
	return raw, &zr.Header
}

// readLogs reads every CloudTrail log file under dir. It fails the test
// on a file whose name does not follow the layout or whose content does
// not parse.
func readLogs(t *testing.T, dir string) []*logFile {
	t.Helper()
	var out []*logFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if !strings.Contains(rel, "/CloudTrail/") {
			return nil
		}
		m := logName.FindStringSubmatch(rel)
		if m == nil {
			t.Errorf("%s: not a CloudTrail log file key", rel)
			return nil
		}
		if m[3] != m[8] || m[4] != m[9] {
			t.Errorf("%s: account or region in the directory and the file name differ", rel)
		}
		ft, err := time.Parse("20060102T1504Z", m[10])
		if err != nil {
			t.Errorf("%s: file time: %v", rel, err)
		}
		if got := m[5] + m[6] + m[7]; got != ft.Format("20060102") {
			t.Errorf("%s: directory date %s is not the file's delivery date", rel, got)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		raw, hdr := gunzip(t, rel, b)
		if want := strings.TrimSuffix(filepath.Base(p), ".gz"); hdr.Name != want || !hdr.ModTime.Equal(ft) {
			t.Errorf("%s: gzip header name %q mtime %v, want %q %v", rel, hdr.Name, hdr.ModTime, want, ft)
		}
		var doc struct {
			Records []map[string]any `json:"Records"`
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			t.Errorf("%s: decode: %v", rel, err)
			return nil
		}
		if len(doc.Records) == 0 {
			t.Errorf("%s: no records: CloudTrail writes no empty files", rel)
		}
		out = append(out, &logFile{rel: rel, raw: raw, records: doc.Records, account: m[3], region: m[4], t: ft})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out
}

// treeBytes maps every file under dir to its content.
func treeBytes(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// str reads a string at a path of keys in a decoded record.
func str(v any, path ...string) string {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

// The shared small archive most tests read: generated once.
var (
	smallOnce sync.Once
	smallDir  string
	smallSum  trailgen.Summary
	smallErr  error
	smallMu   sync.Mutex
	smallLogs []*logFile
)

// smallOptions is a small archive that still has every actor: two
// regions, two days, an organization layout and digests.
func smallOptions() trailgen.Options {
	return trailgen.Options{
		Size: 8 << 20, Accounts: 1, Regions: 2, Days: 2, Seed: 7,
		OrgID: "o-a1b2c3d4e5", Digests: true,
		Start: time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC), // a Monday
	}
}

// smallLogFiles returns the small archive's log files, read once.
func smallLogFiles(t *testing.T) []*logFile {
	t.Helper()
	dir, _ := smallArchive(t)
	smallMu.Lock()
	defer smallMu.Unlock()
	if smallLogs == nil {
		smallLogs = readLogs(t, dir)
	}
	return smallLogs
}

func smallArchive(t *testing.T) (string, trailgen.Summary) {
	t.Helper()
	smallOnce.Do(func() {
		smallDir, smallErr = os.MkdirTemp("", "trailgen-test-")
		if smallErr == nil {
			smallSum, smallErr = trailgen.WriteArchive(context.Background(), smallDir, smallOptions())
		}
	})
	if smallErr != nil {
		t.Fatalf("write small archive: %v", smallErr)
	}
	return smallDir, smallSum
}

func TestMain(m *testing.M) {
	code := m.Run()
	if smallDir != "" {
		os.RemoveAll(smallDir)
	}
	os.Exit(code)
}

func filepathGlob(dir, pattern string) ([]string, error) {
	return filepath.Glob(filepath.Join(dir, pattern))
}

// fieldShares reads real delivery files and returns, for each top-level
// record field, the share of records that have it, and the fields in the
// order records list them.
func fieldShares(t *testing.T, files []string) (map[string]float64, []string) {
	t.Helper()
	count := map[string]float64{}
	var order []string
	n := 0
	for _, p := range files {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, keys := range topLevelKeyOrders(t, raw) {
			n++
			for i, k := range keys {
				count[k]++
				if indexOf(order, k) >= 0 {
					continue
				}
				at := 0 // after the key that precedes it in this record
				if i > 0 {
					at = indexOf(order, keys[i-1]) + 1
				}
				order = append(order[:at], append([]string{k}, order[at:]...)...)
			}
		}
	}
	for k := range count {
		count[k] /= float64(n)
	}
	return count, order
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// topLevelKeyOrders returns the keys of each record of a delivery file in
// the order they are written.
func topLevelKeyOrders(t *testing.T, raw []byte) [][]string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok := func() json.Token {
		tk, err := dec.Token()
		if err != nil {
			t.Fatalf("read keys: %v", err)
		}
		return tk
	}
	tok() // {
	if k, _ := tok().(string); k != "Records" {
		t.Fatalf("first key %q, want Records", k)
	}
	tok() // [
	var out [][]string
	for dec.More() {
		tok() // {
		var keys []string
		for dec.More() {
			k, _ := tok().(string)
			keys = append(keys, k)
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("read value of %s: %v", k, err)
			}
		}
		tok() // }
		out = append(out, keys)
	}
	return out
}
