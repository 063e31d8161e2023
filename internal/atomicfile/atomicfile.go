// Package atomicfile writes files so that a reader, or a crash, never sees
// a part of one: the bytes go to a temporary file beside the target, which
// is synced and renamed over it.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write creates or replaces path with the bytes write produces, with
// permissions perm. If write fails, or the process dies, path keeps its old
// content (or stays absent) and the temporary file is removed (or, after a
// crash, left under a hidden name beside path).
func Write(path string, perm os.FileMode, write func(io.Writer) error) error {
	tmp, err := writeTemp(path, perm, write, true)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rename %s: %w", path, err)
	}
	return nil
}

// writeTemp writes the bytes write produces to a new temporary file beside
// path, with permissions perm, synced when sync is set, and returns its
// name. On error the temporary file is removed.
func writeTemp(path string, perm os.FileMode, write func(io.Writer) error, sync bool) (_ string, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		// Name the file asked for and the directory, never the
		// temporary name the user did not choose.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("create %s: directory %s does not exist", path, filepath.Dir(path))
		}
		return "", fmt.Errorf("create %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := write(bw); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			return "", fmt.Errorf("sync %s: %w", path, err)
		}
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("close %s: %w", path, err)
	}
	return tmp, nil
}
