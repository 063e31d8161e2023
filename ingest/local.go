package ingest

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

	root, canon string // Path cleaned, and made canonical, by List
}

var (
	_ Source = (*Dir)(nil)
	_ Namer  = (*Dir)(nil)
)

func (d *Dir) String() string { return d.Path }

// List walks the directory in lexical order. The walk reads one directory
// at a time; the files' sizes, a system call each, are read on every core
// once the walk is done.
func (d *Dir) List(ctx context.Context, f Filter, fn func(Object) error) error {
	d.root = filepath.Clean(d.Path)
	canon, err := Canonical(d.root)
	if err != nil {
		return fmt.Errorf("list %s: %w", d.Path, err)
	}
	d.canon = canon
	var files []file
	if err := d.walk(ctx, d.root, "", &f, &files); err != nil {
		return err
	}
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range min(runtime.GOMAXPROCS(0), len(files)/256+1) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(files); i = int(next.Add(1) - 1) {
				if info, err := files[i].e.Info(); err != nil {
					files[i].err = err
				} else {
					files[i].size = info.Size()
				}
			}
		})
	}
	wg.Wait()
	for _, f := range files {
		if f.err != nil {
			return fmt.Errorf("list %s: %w", f.path, f.err)
		}
		if err := fn(Object{Key: f.path, Size: f.size}); err != nil {
			return err
		}
	}
	return nil
}

// file is a log file found by Dir.walk.
type file struct {
	path string
	e    fs.DirEntry
	size int64
	err  error
}

// walk appends to files the log files under dir, whose path relative to
// the Dir is rel ("" for the Dir itself), that f may select, in lexical
// order; it prunes directories by name and by the CloudTrail layout.
func (d *Dir) walk(ctx context.Context, dir, rel string, f *Filter, files *[]file) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		path := joinPath(dir, name)
		if e.IsDir() {
			r := name
			if rel != "" {
				r = rel + "/" + name
			}
			if strings.HasPrefix(name, ".") || pruneDir(r, f) {
				continue
			}
			if err := d.walk(ctx, path, r, f, files); err != nil {
				return err
			}
			continue
		}
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || !logName(name) {
			d.Skipped++
			continue
		}
		if k, ok := ParseLogKey(filepath.ToSlash(path)); ok && (k.Digest || k.Insight || !f.MatchKey(k)) {
			d.Skipped++
			continue
		}
		*files = append(*files, file{path: path, e: e})
	}
	return nil
}

// joinPath is filepath.Join for a clean dir and a file name, without
// cleaning the result again.
func joinPath(dir, name string) string {
	switch {
	case dir == ".":
		return name
	case os.IsPathSeparator(dir[len(dir)-1]):
		return dir + name
	}
	return dir + string(filepath.Separator) + name
}

// Name returns the canonical name of a file of the directory: its
// absolute path, cleaned, with the symbolic links of the directory's own
// path resolved. The walk follows no link below it.
func (d *Dir) Name(obj Object) string {
	if d.canon != "" && strings.HasPrefix(obj.Key, d.root) {
		return joinCanonical(d.canon, obj.Key[len(d.root):])
	}
	if c, err := Canonical(obj.Key); err == nil {
		return c
	}
	return obj.Key
}

// joinCanonical joins to the canonical directory dir the rest of a path
// under it, rest ("" or starting with a separator, or a relative path
// under "."), without cleaning again.
func joinCanonical(dir, rest string) string {
	switch {
	case rest == "":
		return dir
	case os.IsPathSeparator(rest[0]):
		if os.IsPathSeparator(dir[len(dir)-1]) {
			return dir + rest[1:]
		}
		return dir + rest
	case os.IsPathSeparator(dir[len(dir)-1]):
		return dir + rest
	}
	return dir + string(filepath.Separator) + rest
}

// Canonical returns the canonical name of a local path: absolute, cleaned,
// with symbolic links resolved. A path that does not exist is made
// absolute and cleaned only. Two spellings of one file (relative and
// absolute, through a link) have the same canonical name, which is what an
// index's source rows record.
func Canonical(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real, nil
	}
	return abs, nil
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

var (
	_ Source = File{}
	_ Namer  = File{}
)

func (s File) String() string { return s.Path }

// Name returns the file's canonical name (see Canonical).
func (s File) Name(obj Object) string {
	if c, err := Canonical(obj.Key); err == nil {
		return c
	}
	return obj.Key
}

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
