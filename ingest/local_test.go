package ingest_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/ingest"
)

// listDir returns what Dir.List gives for root and f.
func listDir(t *testing.T, root string, f ingest.Filter) ([]ingest.Object, int, error) {
	t.Helper()
	d := &ingest.Dir{Path: root}
	var out []ingest.Object
	err := d.List(context.Background(), f, func(o ingest.Object) error {
		out = append(out, o)
		return nil
	})
	return out, d.Skipped, err
}

// TestDirList: a directory lists its log files in the order and with the
// paths filepath.WalkDir gives, with their sizes, leaving out what the
// name rules and the layout prune.
func TestDirList(t *testing.T) {
	root := t.TempDir()
	day := "AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/01/"
	other := "AWSLogs/444455556666/CloudTrail/eu-west-1/2026/10/01/"
	files := map[string]string{
		day + "111122223333_CloudTrail_us-east-1_20261001T0005Z_a.json.gz":      "aa",
		day + "111122223333_CloudTrail_us-east-1_20261001T0000Z_b.json.gz":      "bbbb",
		other + "444455556666_CloudTrail_eu-west-1_20261001T0000Z_c.json.gz":    "c",
		"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/10/01/d.json.gz": "digest",
		"loose/events.jsonl":  "{}",
		"loose/notes.txt":     "not a log",
		"loose/.hidden.json":  "{}",
		".cache/x.json.gz":    "hidden dir",
		"loose/deep/a/b.json": "{}",
		"loose/z.zip":         "zip",
	}
	for name, data := range files {
		write(t, root, name, []byte(data))
	}
	if err := os.Symlink(filepath.Join(root, "loose"), filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}

	// The reference: filepath.WalkDir, keeping regular log files outside
	// dot folders, digests and the pruned account.
	want := func(keep func(rel string) bool) []ingest.Object {
		var out []ingest.Object
		filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			switch {
			case err != nil:
				t.Fatal(err)
			case e.IsDir() && strings.HasPrefix(e.Name(), ".") && p != root:
				return filepath.SkipDir
			case e.IsDir() || !e.Type().IsRegular() || strings.HasPrefix(e.Name(), "."),
				strings.HasSuffix(rel, ".txt"), strings.Contains(rel, "CloudTrail-Digest"), !keep(rel):
				return nil
			}
			info, _ := e.Info()
			out = append(out, ingest.Object{Key: p, Size: info.Size()})
			return nil
		})
		return out
	}
	t.Run("all", func(t *testing.T) {
		got, skipped, err := listDir(t, root, ingest.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if w := want(func(string) bool { return true }); !slices.Equal(got, w) {
			t.Errorf("listed\n%v\nwant\n%v", got, w)
		}
		if skipped != 3 { // notes.txt, .hidden.json and the symlink; the digest folder is pruned whole
			t.Errorf("skipped %d, want 3", skipped)
		}
	})
	t.Run("one account", func(t *testing.T) {
		got, _, err := listDir(t, root+string(filepath.Separator), ingest.Filter{Accounts: []string{"111122223333"}})
		if err != nil {
			t.Fatal(err)
		}
		w := want(func(rel string) bool { return !strings.Contains(rel, "444455556666") })
		if !slices.Equal(got, w) {
			t.Errorf("listed\n%v\nwant\n%v", got, w)
		}
	})
	t.Run("relative", func(t *testing.T) {
		t.Chdir(root)
		got, _, err := listDir(t, ".", ingest.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range got {
			if filepath.IsAbs(o.Key) || strings.HasPrefix(o.Key, ".") {
				t.Errorf("key %q, want a clean relative path", o.Key)
			}
		}
		if len(got) != len(want(func(string) bool { return true })) {
			t.Errorf("listed %d files", len(got))
		}
	})
	t.Run("missing", func(t *testing.T) {
		missing := filepath.Join(root, "nope")
		_, _, err := listDir(t, missing, ingest.Filter{})
		if err == nil || !strings.Contains(err.Error(), missing) {
			t.Errorf("err = %v, want one naming %s", err, missing)
		}
	})
}
