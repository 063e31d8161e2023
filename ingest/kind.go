package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/klauspost/compress/gzip"
	"github.com/tailor-sec/tailor"
)

// Bounds of Recognize: how much of a file it decodes, and how many
// entries of a directory it looks through for a log file to decode.
const (
	recognizeBytes   = 1 << 20
	recognizeEntries = 10000
	recognizeFiles   = 3
)

// Recognize tells whether the file at path holds CloudTrail logs, from
// its first record: tailor.KindCloudTrail (a delivery file, JSON records
// or lines, lookup-events output, gzip-compressed or not, or a zip
// archive of them), tailor.KindCloudTrailDigest, or, for a directory,
// tailor.KindCloudTrailDir when one of the first log files found in it
// holds CloudTrail records. It decodes at most the first megabyte of a
// file. It returns tailor.KindUnknown for anything else, a file that
// breaks before its first record included; its error is only ever one of
// opening or reading the file.
func Recognize(path string) (tailor.Kind, error) {
	st, err := os.Stat(path)
	if err != nil {
		return tailor.KindUnknown, err
	}
	if st.IsDir() {
		return recognizeDir(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return tailor.KindUnknown, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	magic, _ := br.Peek(4)
	if bytes.HasPrefix(magic, []byte("PK\x03\x04")) {
		return recognizeZip(f, st.Size()), nil
	}
	return recognizeStream(br), nil
}

// recognizeStream tells the kind of a log stream, gzip-compressed or
// not, from its first record.
func recognizeStream(r *bufio.Reader) tailor.Kind {
	var src io.Reader = r
	if magic, _ := r.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return tailor.KindUnknown
		}
		defer zr.Close()
		src = zr
	}
	// A cut record at the end of what is read is no error here: the first
	// one decides.
	dec := NewDecoder(io.LimitReader(src, recognizeBytes), nil)
	var ev tailor.Event
	for range 3 {
		err := dec.Next(&ev)
		var re *RecordError
		switch {
		case err == nil:
			return tailor.KindCloudTrail
		case errors.Is(err, ErrDigest):
			return tailor.KindCloudTrailDigest
		case errors.As(err, &re) && !errors.Is(err, ErrNotCloudTrail):
			continue // a broken line of JSON lines, a record too large
		}
		return tailor.KindUnknown
	}
	return tailor.KindUnknown
}

// recognizeZip tells the kind of a zip archive from its first log member.
func recognizeZip(r io.ReaderAt, size int64) tailor.Kind {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return tailor.KindUnknown
	}
	for _, m := range zr.File {
		if m.FileInfo().IsDir() || !logName(m.Name) {
			continue
		}
		rc, err := m.Open()
		if err != nil {
			return tailor.KindUnknown
		}
		defer rc.Close()
		return recognizeStream(bufio.NewReader(rc))
	}
	return tailor.KindUnknown
}

// recognizeDir tells whether a directory holds CloudTrail logs, from the
// first few log files found in it, in the order the walk finds them.
func recognizeDir(dir string) (tailor.Kind, error) {
	entries, tried := 0, 0
	found := false
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fs.SkipDir
		}
		if entries++; entries > recognizeEntries || tried == recognizeFiles {
			return fs.SkipAll
		}
		if d.IsDir() || !logName(d.Name()) {
			return nil
		}
		tried++
		if k, err := Recognize(p); err == nil && k == tailor.KindCloudTrail {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	if err != nil {
		return tailor.KindUnknown, err
	}
	if found {
		return tailor.KindCloudTrailDir, nil
	}
	return tailor.KindUnknown, nil
}
