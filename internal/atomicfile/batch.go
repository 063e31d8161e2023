package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// A Batch writes many files that appear together: each is written to a
// temporary file beside its target; Commit makes all of them durable at
// once (one syncfs on Linux, where syncing thousands of files one by one
// costs more than writing them), then renames each over its target and
// syncs the directories. Until Commit, no target changes; Abort removes the
// temporary files. A crash during Commit's renames leaves some targets old
// and some new, each whole. A Batch is not safe for concurrent use.
type Batch struct {
	perm    os.FileMode
	pending []pending
	removes []string
	dirs    map[string]bool
}

type pending struct{ tmp, path string }

// NewBatch returns an empty batch that creates files with permissions perm.
func NewBatch(perm os.FileMode) *Batch { return &Batch{perm: perm, dirs: map[string]bool{}} }

// Write writes the bytes write produces to a temporary file for path.
func (b *Batch) Write(path string, write func(io.Writer) error) error {
	tmp, err := writeTemp(path, b.perm, write, false)
	if err != nil {
		return err
	}
	b.pending = append(b.pending, pending{tmp, path})
	b.dirs[filepath.Dir(path)] = true
	return nil
}

// Remove removes path at Commit, if it exists: a file an earlier run wrote
// that this one has nothing for.
func (b *Batch) Remove(path string) {
	b.removes = append(b.removes, path)
	b.dirs[filepath.Dir(path)] = true
}

// Commit makes the written files durable and puts them, and the removals,
// in place. After an error, files not yet renamed keep their old content
// and the remaining temporary files are removed.
func (b *Batch) Commit() (err error) {
	defer func() {
		if err != nil {
			b.Abort()
		}
	}()
	if err := syncAll(b.pending); err != nil {
		return err
	}
	for len(b.pending) > 0 {
		p := b.pending[0]
		if err := os.Rename(p.tmp, p.path); err != nil {
			return fmt.Errorf("rename %s: %w", p.path, err)
		}
		b.pending = b.pending[1:]
	}
	for _, path := range b.removes {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", path, err)
		}
	}
	b.removes = nil
	for dir := range b.dirs {
		if err := syncDir(dir); err != nil {
			return err
		}
	}
	return nil
}

// Abort removes the temporary files of the files not yet committed.
func (b *Batch) Abort() {
	for _, p := range b.pending {
		os.Remove(p.tmp)
	}
	b.pending, b.removes = nil, nil
}

// syncFiles syncs each file: the portable way.
func syncFiles(ps []pending) error {
	for _, p := range ps {
		f, err := os.OpenFile(p.tmp, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("sync %s: %w", p.path, err)
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("sync %s: %w", p.path, err)
		}
	}
	return nil
}

// syncDir makes the renames in dir durable, where the platform can.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
