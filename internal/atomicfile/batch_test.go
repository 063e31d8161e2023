package atomicfile_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tailor-sec/tailor/internal/atomicfile"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func text(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// TestBatch: files appear only at Commit, all of them, and a stale file
// queued for removal goes; before Commit the directory shows no target
// changed.
func TestBatch(t *testing.T) {
	for _, n := range []int{3, 40} { // below and above the syncfs threshold
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "f0"), []byte("old"), 0o644)
			os.WriteFile(filepath.Join(dir, "stale"), []byte("stale"), 0o644)
			b := atomicfile.NewBatch(0o644)
			for i := 0; i < n; i++ {
				if err := b.Write(filepath.Join(dir, fmt.Sprintf("f%d", i)), text(fmt.Sprintf("new %d", i))); err != nil {
					t.Fatal(err)
				}
			}
			b.Remove(filepath.Join(dir, "stale"))
			b.Remove(filepath.Join(dir, "never-was"))
			if got, _ := os.ReadFile(filepath.Join(dir, "f0")); string(got) != "old" {
				t.Errorf("before Commit f0 holds %q", got)
			}
			if _, err := os.Stat(filepath.Join(dir, "f1")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("before Commit f1 exists: %v", err)
			}
			if err := b.Commit(); err != nil {
				t.Fatal(err)
			}
			var want []string
			for i := 0; i < n; i++ {
				want = append(want, fmt.Sprintf("f%d", i))
				if got, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("f%d", i))); string(got) != fmt.Sprintf("new %d", i) {
					t.Errorf("f%d holds %q", i, got)
				}
			}
			slices.Sort(want)
			if got := names(t, dir); !slices.Equal(got, want) {
				t.Errorf("directory %v, want %v (no temporary files, no stale file)", got, want)
			}
		})
	}
}

// TestBatchAbort: an aborted batch, or one whose write fails, changes
// nothing and leaves no temporary file.
func TestBatchAbort(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a"), []byte("old"), 0o644)
	b := atomicfile.NewBatch(0o644)
	if err := b.Write(filepath.Join(dir, "a"), text("new")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := b.Write(filepath.Join(dir, "b"), func(w io.Writer) error { w.Write(make([]byte, 1<<20)); return boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	b.Abort()
	if got := names(t, dir); !slices.Equal(got, []string{"a"}) {
		t.Errorf("directory %v, want only a", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a")); string(got) != "old" {
		t.Errorf("a holds %q", got)
	}
}
