package atomicfile_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/internal/atomicfile"
)

// TestWrite: a write that fails leaves the old file whole and no
// temporary file behind; one that succeeds replaces it with its mode.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.parquet")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := atomicfile.Write(p, 0o644, func(w io.Writer) error {
		w.Write(make([]byte, 1<<20)) // more than the buffer: reaches the disk
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("old file now holds %d bytes", len(b))
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("directory holds %d entries, want only the old file", len(ents))
	}
	if err := atomicfile.Write(p, 0o600, func(w io.Writer) error { _, err := w.Write([]byte("new")); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("file holds %q, want new", b)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode())
	}
	if err := atomicfile.Write(filepath.Join(dir, "no", "such", "dir"), 0o644, func(io.Writer) error { return nil }); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

// TestWriteMissingDir: the error names the file asked for and its missing
// directory, not the temporary file.
func TestWriteMissingDir(t *testing.T) {
	p := filepath.Join(t.TempDir(), "missing", "dir", "x.parquet")
	err := atomicfile.Write(p, 0o644, func(w io.Writer) error { return nil })
	if err == nil || err.Error() != "create "+p+": directory "+filepath.Dir(p)+" does not exist" {
		t.Errorf("err = %v", err)
	}
	b := atomicfile.NewBatch(0o644)
	if err := b.Write(p, func(w io.Writer) error { return nil }); err == nil || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("batch: err = %v", err)
	}
}
