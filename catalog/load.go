package catalog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tailor-sec/tailor"
)

// Options choose the catalog Load returns. The zero value uses the user
// cache when `catalog update` filled it, else the embedded snapshot.
type Options struct {
	// Dir, when set, is a directory in the service reference format to
	// read (--catalog DIR); the cache and the snapshot are not tried.
	Dir string
	// CacheDir is where Update keeps its copy; "" means DefaultCacheDir().
	CacheDir string
	// NoCache skips the cache.
	NoCache bool
}

// DefaultCacheDir returns the directory Update fills and Load reads:
// tailor/catalog under os.UserCacheDir().
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("catalog: locate cache: %w", err)
	}
	return filepath.Join(d, "tailor", "catalog"), nil
}

// Load returns the catalog opts choose: opts.Dir if set; else the cache if
// Update has filled it (it holds StampFile); else Embedded(). A cache that
// exists but does not load is an error, not a silent fallback. An
// opts.Dir that is not a catalog directory (see Recognize) is a
// *tailor.KindError that says what it is.
func Load(opts Options) (*Catalog, error) {
	if opts.Dir != "" {
		if ke, ok := tailor.Check(opts.Dir, []tailor.Kind{tailor.KindCatalog}, Recognize).(*tailor.KindError); ok {
			ke.Sentinel = ErrNoServices
			return nil, fmt.Errorf("catalog: %w", ke)
		}
		c, err := LoadServiceReference(opts.Dir)
		if errors.Is(err, ErrNoServices) {
			err = &tailor.KindError{Path: opts.Dir, Want: tailor.KindCatalog, Err: ErrNoServices}
		}
		return c, err
	}
	if !opts.NoCache {
		dir := opts.CacheDir
		if dir == "" {
			d, err := DefaultCacheDir()
			if err != nil {
				return Embedded()
			}
			dir = d
		}
		_, err := os.Stat(filepath.Join(dir, StampFile))
		switch {
		case err == nil:
			c, err := LoadServiceReference(dir)
			if err != nil {
				return nil, fmt.Errorf("load cached catalog (run `tailor catalog update` or remove %s): %w", dir, err)
			}
			return c, nil
		case !errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("catalog: stat cache: %w", err)
		}
	}
	return Embedded()
}
