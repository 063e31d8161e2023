package catalog_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/catalog"
)

// copyDir copies the fixture tree src to dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLoad(t *testing.T) {
	nested := filepath.Join("testdata", "servicereference", "nested")
	filled := t.TempDir()
	copyDir(t, nested, filled)
	stamp := `{"fetched":"2026-10-01T12:00:00Z","url":"https://example.test/"}`
	if err := os.WriteFile(filepath.Join(filled, catalog.StampFile), []byte(stamp), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := t.TempDir()
	os.WriteFile(filepath.Join(broken, catalog.StampFile), []byte(stamp), 0o644)

	tests := []struct {
		name       string
		opts       catalog.Options
		wantSource string // prefix
		wantErr    string
	}{
		{"dir", catalog.Options{Dir: nested, CacheDir: filled}, nested, ""},
		{"cache", catalog.Options{CacheDir: filled}, filled, ""},
		{"no cache", catalog.Options{CacheDir: filled, NoCache: true}, "embedded ", ""},
		{"empty cache", catalog.Options{CacheDir: t.TempDir()}, "embedded ", ""},
		{"missing cache", catalog.Options{CacheDir: filepath.Join(t.TempDir(), "none")}, "embedded ", ""},
		{"broken cache", catalog.Options{CacheDir: broken}, "", "catalog update"},
		{"bad dir", catalog.Options{Dir: filepath.Join(t.TempDir(), "none")}, "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := catalog.Load(tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(c.Source(), tt.wantSource) {
				t.Errorf("source %q, want %q", c.Source(), tt.wantSource)
			}
		})
	}
	t.Run("stamp date", func(t *testing.T) {
		c, err := catalog.Load(catalog.Options{CacheDir: filled})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Date().Format("2006-01-02T15:04:05Z07:00"); got != "2026-10-01T12:00:00Z" {
			t.Errorf("date %s, want the stamp's 2026-10-01T12:00:00Z", got)
		}
	})
}

func TestDefaultCacheDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		// os.UserCacheDir reads XDG_CACHE_HOME only on Unix other than
		// macOS; elsewhere check the suffix.
		d, err := catalog.DefaultCacheDir()
		if err != nil || !strings.HasSuffix(d, filepath.Join("tailor", "catalog")) {
			t.Errorf("DefaultCacheDir = %q, %v", d, err)
		}
		return
	}
	t.Setenv("XDG_CACHE_HOME", "/var/cache/someone")
	d, err := catalog.DefaultCacheDir()
	if err != nil || d != "/var/cache/someone/tailor/catalog" {
		t.Errorf("DefaultCacheDir = %q, %v; want /var/cache/someone/tailor/catalog", d, err)
	}
}
