// Package shareddata locates the shared corpus of real CloudTrail logs, IAM
// snapshots and policies that tests validate against. The corpus lives
// beside the repository (../shared/data), never inside it: CI always has
// it, a fresh clone does not, and tests that need it skip with the reason.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Env names the environment variable that overrides the corpus location.
const Env = "TAILOR_SHARED_DATA"

// Dir returns the corpus directory, or skips the test when it is absent.
// The optional elem are joined to the corpus path, and the test is skipped
// when that path does not exist.
func Dir(tb testing.TB, elem ...string) string {
	tb.Helper()
	dir, ok := Find()
	if !ok {
		tb.Skipf("shared corpus not found: set %s or place it at ../shared/data beside the repository", Env)
	}
	p := filepath.Join(append([]string{dir}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared corpus lacks %s: %v", p, err)
	}
	return p
}

// Find returns the corpus directory: $TAILOR_SHARED_DATA, else
// ../shared/data next to the module root found by walking up from the
// working directory.
func Find() (string, bool) {
	if d := os.Getenv(Env); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d, true
		}
		return "", false
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			c := filepath.Join(filepath.Dir(d), "shared", "data")
			if st, err := os.Stat(c); err == nil && st.IsDir() {
				return c, true
			}
			return "", false
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}
