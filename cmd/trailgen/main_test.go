package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	notEmpty := t.TempDir()
	if err := os.WriteFile(filepath.Join(notEmpty, "keep.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		code    int
		out     string // substring of stdout
		errText string // substring of stderr
	}{
		{"archive needs an output", []string{"archive", "--size", "1MiB"}, exitUsage, "", "--output is required"},
		{"bad size", []string{"archive", "-o", t.TempDir(), "--size", "lots"}, exitUsage, "", "size"},
		{"bad flag", []string{"archive", "--nope"}, exitUsage, "", "unknown flag"},
		{"bad organization", []string{"archive", "-o", t.TempDir(), "--org", "acme"}, exitUsage, "", "organization id"},
		{"bad start", []string{"archive", "-o", t.TempDir(), "--start", "yesterday"}, exitUsage, "", "--start"},
		{"small archive", []string{"archive", "-o", t.TempDir(), "--size", "1MiB", "--accounts", "1", "--regions", "1", "--days", "1"}, exitOK, "records", ""},
		{"demo refuses a foreign directory", []string{"demo", "-o", notEmpty}, exitError, "", "no demo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), &out, &errOut, tt.args)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, errOut.String())
			}
			if !strings.Contains(out.String(), tt.out) || !strings.Contains(errOut.String(), tt.errText) {
				t.Errorf("stdout %q, stderr %q; want %q and %q in them", out.String(), errOut.String(), tt.out, tt.errText)
			}
		})
	}
}
