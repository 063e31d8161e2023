package catalog_test

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/internal/shareddata"
)

func embedded(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var loadShared = sync.OnceValues(func() (*catalog.Catalog, error) {
	dir, _ := shareddata.Find()
	return catalog.LoadServiceReference(filepath.Join(dir, "iam", "service-reference"))
})

// sharedReference returns the shared copy of AWS's service reference
// files, loaded once for all tests, or skips when the corpus is absent.
func sharedReference(t testing.TB) *catalog.Catalog {
	t.Helper()
	shareddata.Dir(t, "iam", "service-reference")
	c, err := loadShared()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func head(s []string, n int) []string { return s[:min(n, len(s))] }
