package shareddata

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TarFiles calls fn with the name and content of every regular file of a
// .tar.gz archive of the corpus, in archive order. A read error fails the
// test.
func TarFiles(tb testing.TB, file string, fn func(name string, data []byte)) {
	tb.Helper()
	f, err := os.Open(file)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatalf("%s: %v", file, err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			tb.Fatalf("%s: %v", file, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			tb.Fatalf("%s: %s: %v", file, h.Name, err)
		}
		fn(h.Name, data)
	}
}

// CloudTrailStreams returns every JSON stream of the corpus' CloudTrail
// logs, read with the standard library alone: .json and .jsonl files,
// gunzipped .gz files, and the members of .zip archives (named
// path:member). It skips the test when the corpus is absent.
func CloudTrailStreams(tb testing.TB) map[string][]byte {
	tb.Helper()
	dir := Dir(tb, "cloudtrail")
	out := make(map[string][]byte)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := strings.ToLower(d.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(name, ".gz"):
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				return err
			}
			if data, err = io.ReadAll(zr); err != nil {
				return err
			}
			out[path] = data
		case strings.HasSuffix(name, ".zip"):
			zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				return err
			}
			for _, f := range zr.File {
				rc, err := f.Open()
				if err != nil {
					return err
				}
				b, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					return err
				}
				out[path+":"+f.Name] = b
			}
		case strings.HasSuffix(name, ".json"), strings.HasSuffix(name, ".jsonl"):
			out[path] = data
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}
