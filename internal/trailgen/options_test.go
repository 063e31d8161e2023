package trailgen_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tailor-sec/tailor/internal/trailgen"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  bool
	}{
		{"1GiB", 1 << 30, false},
		{"512MiB", 512 << 20, false},
		{"200MB", 200e6, false},
		{"64k", 64 << 10, false},
		{"1.5G", 3 << 29, false},
		{"1048576", 1 << 20, false},
		{" 2 gb ", 2e9, false},
		{"", 0, true},
		{"GiB", 0, true},
		{"12 parsecs", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := trailgen.ParseSize(tt.in)
			if (err != nil) != tt.err || got != tt.want {
				t.Errorf("ParseSize(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.err)
			}
			if err != nil && !errors.Is(err, trailgen.ErrOptions) {
				t.Errorf("error %v does not wrap ErrOptions", err)
			}
		})
	}
}

func TestInvalidOptions(t *testing.T) {
	tests := []struct {
		name string
		opts trailgen.Options
	}{
		{"negative size", trailgen.Options{Size: -1}},
		{"too many regions", trailgen.Options{Regions: len(trailgen.Regions()) + 1}},
		{"bad organization id", trailgen.Options{OrgID: "org-123"}},
		{"short organization id", trailgen.Options{OrgID: "o-abc"}},
		{"negative days", trailgen.Options{Days: -2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := trailgen.WriteArchive(context.Background(), dir, tt.opts)
			if !errors.Is(err, trailgen.ErrOptions) {
				t.Errorf("got %v, want ErrOptions", err)
			}
			if files := treeBytes(t, dir); len(files) != 0 {
				t.Errorf("wrote %d files for invalid options", len(files))
			}
		})
	}
}

func TestRegions(t *testing.T) {
	r := trailgen.Regions()
	if r[0] != "us-east-1" || len(r) < 3 {
		t.Errorf("Regions() = %v", r)
	}
	r[0] = "changed"
	if trailgen.Regions()[0] != "us-east-1" {
		t.Errorf("Regions() returns shared state")
	}
}
