package review_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/internal/shareddata"
	"github.com/tailor-sec/tailor/review"
)

func TestRecognizeVendors(t *testing.T) {
	tests := []struct {
		file string
		want tailor.Kind
	}{
		{"vendors/demo.yaml", tailor.KindVendors},
		{"vendors/known.yaml", tailor.KindVendors},
		{"vendors/extra-keys.yaml", tailor.KindVendors},
		// Lists of the right shape that break: their reader says where.
		{"vendors/bad-account.yaml", tailor.KindVendors},
		{"vendors/no-name.yaml", tailor.KindVendors},
		{"vendors/no-accounts.yaml", tailor.KindVendors},
		{"vendors/not-a-list.yaml", tailor.KindUnknown},
		{"vendors/not-yaml.yaml", tailor.KindUnknown},
		{"vendors/empty.yaml", tailor.KindUnknown},
		{"vendors", tailor.KindUnknown},
	}
	for _, tt := range tests {
		if got, err := review.RecognizeVendors(filepath.Join("testdata", tt.file)); err != nil || got != tt.want {
			t.Errorf("RecognizeVendors(%s) = %q, %v; want %q", tt.file, got, err, tt.want)
		}
	}
	// The real lists, and JSON records, which are a list of mappings too.
	dir := shareddata.Dir(t)
	for file, want := range map[string]tailor.Kind{
		"vendors/known_aws_accounts.yaml":          tailor.KindVendors,
		"vendors/cloudmapper-vendor_accounts.yaml": tailor.KindVendors,
		"vendors/known_aws_accounts.schema.json":   tailor.KindUnknown,
	} {
		if got, err := review.RecognizeVendors(filepath.Join(dir, file)); err != nil || got != want {
			t.Errorf("RecognizeVendors(%s) = %q, %v; want %q", file, got, err, want)
		}
	}
	records := filepath.Join(t.TempDir(), "records.json")
	os.WriteFile(records, []byte(`[{"eventVersion": "1.08", "eventName": "GetObject"}]`), 0o644)
	if got, _ := review.RecognizeVendors(records); got != tailor.KindUnknown {
		t.Errorf("CloudTrail records are %q", got)
	}
}

func TestLoadVendorsWrongContainer(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "usage.parquet")
	os.WriteFile(p, []byte("PAR1\x15\x04"), 0o644)
	for path, what := range map[string]string{p: "a Parquet file", dir: "a directory"} {
		_, err := review.LoadVendors(path)
		want := "read known accounts: " + path + " is " + what + ", not a known-accounts list (" + tailor.KindVendors.Hint() + ")"
		if err == nil || err.Error() != want || !errors.Is(err, review.ErrVendors) {
			t.Errorf("error\n%v\nwant\n%s", err, want)
		}
	}
}
