package catalog_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/catalog"
)

func TestRecognize(t *testing.T) {
	dir := filepath.Join("testdata", "servicereference")
	tests := []struct {
		path string
		want tailor.Kind
	}{
		{"flat", tailor.KindCatalog},
		{"nested", tailor.KindCatalog},
		{"missing-indexed", tailor.KindCatalog}, // the loader says which service is missing
		{"typeerror", tailor.KindCatalog},       // the loader says where
		{"flat/s3.json", tailor.KindServiceReference},
		{"nested/s3/s3.json", tailor.KindServiceReference},
		{"malformed", tailor.KindCatalog}, // its first keys are right: the loader says where it breaks
		{"empty", tailor.KindUnknown},
		{"empty/README.txt", tailor.KindUnknown},
		{"duplicate", tailor.KindUnknown},
	}
	for _, tt := range tests {
		if got, err := catalog.Recognize(filepath.Join(dir, tt.path)); err != nil || got != tt.want {
			t.Errorf("Recognize(%s) = %q, %v; want %q", tt.path, got, err, tt.want)
		}
	}
}

func TestLoadNotACatalog(t *testing.T) {
	dir := filepath.Join("testdata", "servicereference")
	tests := []struct {
		path, want string
		sentinel   error
	}{
		{"flat/s3.json", "catalog: testdata/servicereference/flat/s3.json is a service reference file, not a catalog directory (" + tailor.KindCatalog.Hint() + ")", catalog.ErrNoServices},
		{"empty", "testdata/servicereference/empty is not a catalog directory: catalog: no service reference files (" + tailor.KindCatalog.Hint() + ")", catalog.ErrNoServices},
	}
	for _, tt := range tests {
		_, err := catalog.Load(catalog.Options{Dir: filepath.Join(dir, tt.path)})
		if err == nil || err.Error() != tt.want || !errors.Is(err, tailor.ErrKind) || !errors.Is(err, tt.sentinel) {
			t.Errorf("Load(%s): error\n%v\nwant\n%s", tt.path, err, tt.want)
		}
	}
}
