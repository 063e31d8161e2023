package ingest

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tailor-sec/tailor"
)

// Dir is a directory of log files, walked recursively. Files are selected
// by name (.json, .json.gz, .jsonl, .ndjson, .gz, .zip); directories and
// files whose CloudTrail layout shows they are outside the filter are
// pruned without being read.
type Dir struct {
	Path string
	// Skipped counts files passed over by name or layout after List.
	Skipped int
}

var _ Source = (*Dir)(nil)

func (d *Dir) String() string { return d.Path }

// List walks the directory in lexical order.
func (d *Dir) List(ctx context.Context, f Filter, fn func(Object) error) error {
	return filepath.WalkDir(d.Path, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("list %s: %w", path, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(d.Path, path)
		if e.IsDir() {
			if path != d.Path && (strings.HasPrefix(e.Name(), ".") || pruneDir(filepath.ToSlash(rel), &f)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") || !logName(e.Name()) {
			d.Skipped++
			return nil
		}
		if k, ok := ParseLogKey(filepath.ToSlash(path)); ok && (k.Digest || k.Insight || !f.MatchKey(k)) {
			d.Skipped++
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return fmt.Errorf("list %s: %w", path, err)
		}
		return fn(Object{Key: path, Size: info.Size()})
	})
}

// Open opens a file of the directory.
func (d *Dir) Open(ctx context.Context, obj Object) (io.ReadCloser, error) {
	return os.Open(obj.Key)
}

// logName reports whether a file name looks like a log file.
func logName(name string) bool {
	n := strings.ToLower(name)
	for _, ext := range []string{".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".gz", ".zip"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}

// pruneDir reports whether a directory, by the CloudTrail layout its path
// shows (AWSLogs/[o-org/]account/CloudTrail/region/yyyy/mm/dd), can hold
// no log file f selects.
func pruneDir(rel string, f *Filter) bool {
	parts := strings.Split(rel, "/")
	i := 0
	for i < len(parts) && parts[i] != "AWSLogs" {
		i++
	}
	if i == len(parts) {
		return false
	}
	rest := parts[i+1:]
	if len(rest) > 0 && strings.HasPrefix(rest[0], "o-") {
		rest = rest[1:]
	}
	if len(rest) == 0 || !tailor.IsAccountID(rest[0]) {
		return false
	}
	if len(f.Accounts) > 0 && !contains(f.Accounts, rest[0]) {
		return true
	}
	if len(rest) < 2 {
		return false
	}
	if rest[1] != "CloudTrail" {
		return true // digests, insights, other services' logs
	}
	if len(rest) < 3 {
		return false
	}
	if len(f.Regions) > 0 && !contains(f.Regions, rest[2]) {
		return true
	}
	// Date levels: the directory spans [first, last) in delivery days.
	date := rest[3:]
	if len(date) == 0 {
		return false
	}
	y, err := strconv.Atoi(date[0])
	if err != nil {
		return false
	}
	first := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(1, 0, 0)
	if len(date) > 1 {
		m, err := strconv.Atoi(date[1])
		if err != nil {
			return false
		}
		first = time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
		last = first.AddDate(0, 1, 0)
		if len(date) > 2 {
			d, err := strconv.Atoi(date[2])
			if err != nil {
				return false
			}
			first = time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
			last = first.AddDate(0, 0, 1)
		}
	}
	// Records in files delivered in [first, last) are from
	// [first-MaxDeliveryLag, last).
	if !f.Until.IsZero() && !first.Add(-MaxDeliveryLag).Before(f.Until) {
		return true
	}
	if !f.Since.IsZero() && !last.After(f.Since) {
		return true
	}
	return false
}

// File is one log file named on the command line: it is read whatever its
// name.
type File struct{ Path string }

var _ Source = File{}

func (s File) String() string { return s.Path }

// List lists the file itself.
func (s File) List(ctx context.Context, f Filter, fn func(Object) error) error {
	st, err := os.Stat(s.Path)
	if err != nil {
		return fmt.Errorf("list %s: %w", s.Path, err)
	}
	return fn(Object{Key: s.Path, Size: st.Size()})
}

// Open opens the file.
func (s File) Open(ctx context.Context, obj Object) (io.ReadCloser, error) {
	return os.Open(obj.Key)
}

// Stdin is the standard input ("-"): one stream, plain, gzip or zip.
type Stdin struct{ R io.Reader }

var _ Source = Stdin{}

func (s Stdin) String() string { return "-" }

// List lists the one stream.
func (s Stdin) List(ctx context.Context, f Filter, fn func(Object) error) error {
	return fn(Object{Key: "-", Size: -1})
}

// Open returns the stream; it can be opened once.
func (s Stdin) Open(ctx context.Context, obj Object) (io.ReadCloser, error) {
	return io.NopCloser(s.R), nil
}

// LocalSource returns the source for a command-line argument: "-" for
// stdin, a directory, or a file.
func LocalSource(arg string, stdin io.Reader) (Source, error) {
	if arg == "-" {
		return Stdin{R: stdin}, nil
	}
	st, err := os.Stat(arg)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return &Dir{Path: arg}, nil
	}
	return File{Path: arg}, nil
}
