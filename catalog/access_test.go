package catalog_test

import (
	"slices"
	"testing"

	"github.com/tailor-sec/tailor/catalog"
)

func TestAccessLevel(t *testing.T) {
	tests := []struct {
		in     string
		want   catalog.AccessLevel
		str    string
		levels []catalog.AccessLevel
	}{
		{"Write", catalog.Write, "Write", []catalog.AccessLevel{catalog.Write}},
		{"Read", catalog.Read, "Read", []catalog.AccessLevel{catalog.Read}},
		{"List", catalog.List, "List", []catalog.AccessLevel{catalog.List}},
		{"Permissions management, Write", catalog.PermissionsManagement | catalog.Write, "Permissions management, Write",
			[]catalog.AccessLevel{catalog.Write, catalog.PermissionsManagement}},
		{"Tagging, Write", catalog.Tagging | catalog.Write, "Tagging, Write", []catalog.AccessLevel{catalog.Write, catalog.Tagging}},
		{"write ,  tagging", catalog.Tagging | catalog.Write, "Tagging, Write", []catalog.AccessLevel{catalog.Write, catalog.Tagging}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := catalog.ParseAccessLevel(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseAccessLevel = %v, want %v", got, tt.want)
			}
			if s := got.String(); s != tt.str {
				t.Errorf("String = %q, want %q", s, tt.str)
			}
			if l := got.Levels(); !slices.Equal(l, tt.levels) {
				t.Errorf("Levels = %v, want %v", l, tt.levels)
			}
			for _, l := range tt.levels {
				if !got.Has(l) {
					t.Errorf("Has(%v) false", l)
				}
			}
		})
	}
	for _, bad := range []string{"", "Admin", "Write,", "Read, Writ"} {
		if l, err := catalog.ParseAccessLevel(bad); err == nil {
			t.Errorf("ParseAccessLevel(%q) = %v, want an error", bad, l)
		}
	}
	if (catalog.Read).Has(catalog.Write) || catalog.Write.Has(0) {
		t.Error("Has reports a level that is not there")
	}
}
