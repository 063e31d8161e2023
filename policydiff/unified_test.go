package policydiff_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/policydiff"
)

// applyUnified applies a unified diff to text the way patch does without
// fuzz: every hunk must start at its stated line and its context and
// removed lines must match. It checks the format as it goes.
func applyUnified(text, diff []byte) ([]byte, error) {
	old := splitKeep(text)
	lines := splitKeep(diff)
	if len(lines) == 0 {
		return text, nil
	}
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		return nil, fmt.Errorf("no ---/+++ header")
	}
	var out []string
	pos := 0 // next line of old to copy
	i := 2
	for i < len(lines) {
		h := strings.TrimSuffix(lines[i], "\n")
		var a0, an, b0, bn int
		if !parseHeader(h, &a0, &an, &b0, &bn) {
			return nil, fmt.Errorf("line %d: bad hunk header %q", i+1, h)
		}
		i++
		start := a0 - 1
		if an == 0 {
			start = a0
		}
		if start < pos {
			return nil, fmt.Errorf("hunk %q overlaps the previous one", h)
		}
		out = append(out, old[pos:start]...)
		pos = start
		gotA, gotB := 0, 0
		for i < len(lines) && !strings.HasPrefix(lines[i], "@@ ") {
			l := lines[i]
			i++
			body := l[1:]
			if i < len(lines) && lines[i] == "\\ No newline at end of file\n" {
				body = strings.TrimSuffix(body, "\n")
				i++
			}
			switch l[0] {
			case ' ', '-':
				if pos >= len(old) || old[pos] != body {
					return nil, fmt.Errorf("hunk %q: line %d of the text does not match %q", h, pos+1, l)
				}
				pos++
				gotA++
				if l[0] == ' ' {
					out = append(out, body)
					gotB++
				}
			case '+':
				out = append(out, body)
				gotB++
			default:
				return nil, fmt.Errorf("line %d: unexpected %q", i, l)
			}
		}
		if gotA != an || gotB != bn {
			return nil, fmt.Errorf("hunk %q holds %d old and %d new lines", h, gotA, gotB)
		}
		if len(out) != b0-1+bn && !(bn == 0 && len(out) == b0) {
			return nil, fmt.Errorf("hunk %q: new text at line %d, header says %d", h, len(out), b0)
		}
	}
	out = append(out, old[pos:]...)
	return []byte(strings.Join(out, "")), nil
}

func parseHeader(h string, a0, an, b0, bn *int) bool {
	f := strings.Fields(h)
	if len(f) != 4 || f[0] != "@@" || f[3] != "@@" || f[1][0] != '-' || f[2][0] != '+' {
		return false
	}
	parse := func(s string, start, n *int) bool {
		x, y, ok := strings.Cut(s, ",")
		var err error
		if *start, err = strconv.Atoi(x); err != nil {
			return false
		}
		*n = 1
		if ok {
			if *n, err = strconv.Atoi(y); err != nil {
				return false
			}
		}
		return true
	}
	return parse(f[1][1:], a0, an) && parse(f[2][1:], b0, bn)
}

func splitKeep(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, string(b))
			break
		}
		out = append(out, string(b[:i+1]))
		b = b[i+1:]
	}
	return out
}

// patchBinary returns the path of patch(1), or "" when it is not installed.
func patchBinary(t *testing.T) string {
	p, err := exec.LookPath("patch")
	if err != nil {
		t.Logf("patch(1) not found: diffs are applied by the test's own applier only")
		return ""
	}
	return p
}

// applyWithPatch applies diff to from with the real patch(1) and returns
// the result.
func applyWithPatch(t *testing.T, bin string, from, diff []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "from"), filepath.Join(dir, "to")
	if err := os.WriteFile(src, from, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--batch", "--silent", "--force", "-o", dst, src)
	cmd.Stdin = bytes.NewReader(diff)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch: %v\n%s\ndiff:\n%s", err, out, diff)
	}
	got, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestUnifiedGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "diff", "*.from.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no diff cases: %v", err)
	}
	bin := patchBinary(t)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".from.json")
		t.Run(name, func(t *testing.T) {
			from := readPolicy(t, f)
			to := readPolicy(t, filepath.Join("testdata", "diff", name+".to.json"))
			diff, err := policydiff.Policies(from, to, policydiff.Options{FromFile: "a/" + name + ".json", ToFile: "b/" + name + ".json"})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("diff", name), diff)
			a, _ := policydiff.Render(from)
			b, _ := policydiff.Render(to)
			got, err := applyUnified(a, diff)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, b) {
				t.Errorf("applying the diff gives:\n%s\nwant:\n%s", got, b)
			}
			if bin != "" && len(diff) > 0 {
				if got := applyWithPatch(t, bin, a, diff); !bytes.Equal(got, b) {
					t.Errorf("patch(1) gives:\n%s\nwant:\n%s", got, b)
				}
			}
		})
	}
}

func TestUnifiedFormat(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		opts     policydiff.Options
		want     string
	}{
		{"equal", "a\nb\n", "a\nb\n", policydiff.Options{}, ""},
		{"empty to one line", "", "x\n", policydiff.Options{},
			"--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n"},
		{"one line to empty", "x\n", "", policydiff.Options{},
			"--- a\n+++ b\n@@ -1 +0,0 @@\n-x\n"},
		{"change in the middle", "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n", policydiff.Options{FromFile: "old", ToFile: "new"},
			"--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"},
		{"no context", "1\n2\n3\n", "1\n3\n", policydiff.Options{Context: -1},
			"--- a\n+++ b\n@@ -2 +1,0 @@\n-2\n"},
		{"one line of context", "1\n2\n3\n4\n", "1\n2\nx\n3\n4\n", policydiff.Options{Context: 1},
			"--- a\n+++ b\n@@ -2,2 +2,3 @@\n 2\n+x\n 3\n"},
		{"no newline at end", "a\nb", "a\nc", policydiff.Options{},
			"--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"},
		{"newline added at end", "a", "a\n", policydiff.Options{},
			"--- a\n+++ b\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n"},
		{"far apart changes make two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "x\n2\n3\n4\n5\n6\n7\n8\n9\ny\n", policydiff.Options{Context: 1},
			"--- a\n+++ b\n@@ -1,2 +1,2 @@\n-1\n+x\n 2\n@@ -9,2 +9,2 @@\n 9\n-10\n+y\n"},
		{"touching context merges", "1\n2\n3\n4\n5\n", "x\n2\n3\n4\ny\n", policydiff.Options{Context: 2},
			"--- a\n+++ b\n@@ -1,5 +1,5 @@\n-1\n+x\n 2\n 3\n 4\n-5\n+y\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(policydiff.Unified([]byte(tt.from), []byte(tt.to), tt.opts))
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestUnifiedMatchesGNUDiff compares the output with GNU diff -u, when it
// is installed, on edits where the shortest script is unique: both must
// be the same text, headers aside.
func TestUnifiedMatchesGNUDiff(t *testing.T) {
	bin, err := exec.LookPath("diff")
	if err != nil {
		t.Logf("diff(1) not found: the comparison with GNU diff is not made")
		return
	}
	var a, b strings.Builder
	for i := 0; i < 60; i++ {
		fmt.Fprintf(&a, "line %d\n", i)
		switch {
		case i == 10:
			b.WriteString("changed 10\n")
		case i == 30 || i == 31:
		case i == 50:
			fmt.Fprintf(&b, "line %d\nadded\n", i)
		default:
			fmt.Fprintf(&b, "line %d\n", i)
		}
	}
	dir := t.TempDir()
	fa, fb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.WriteFile(fa, []byte(a.String()), 0o644)
	os.WriteFile(fb, []byte(b.String()), 0o644)
	out, _ := exec.Command(bin, "-u", "--label", "a", "--label", "b", fa, fb).Output()
	got := policydiff.Unified([]byte(a.String()), []byte(b.String()), policydiff.Options{})
	if !bytes.Equal(got, out) {
		t.Errorf("differs from GNU diff -u:\n%s", policydiff.Unified(out, got, policydiff.Options{FromFile: "gnu", ToFile: "policydiff"}))
	}
}

// TestUnifiedApplies diffs random texts and applies the diff, with the
// test's applier always and with patch(1) on a sample when installed.
func TestUnifiedApplies(t *testing.T) {
	bin := patchBinary(t)
	r := rand.New(rand.NewPCG(5, 6))
	text := func() []byte {
		var b strings.Builder
		n := r.IntN(30)
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "l%d\n", r.IntN(6))
		}
		s := b.String()
		if len(s) > 0 && r.IntN(4) == 0 {
			s = s[:len(s)-1] // no newline at the end
		}
		return []byte(s)
	}
	for i := 0; i < 2000; i++ {
		from, to := text(), text()
		ctx := r.IntN(5) - 1
		diff := policydiff.Unified(from, to, policydiff.Options{Context: ctx})
		if bytes.Equal(from, to) != (len(diff) == 0) {
			t.Fatalf("equal texts %v but diff %q", bytes.Equal(from, to), diff)
		}
		got, err := applyUnified(from, diff)
		if err != nil {
			t.Fatalf("case %d: %v\nfrom %q\nto %q\ndiff:\n%s", i, err, from, to, diff)
		}
		if !bytes.Equal(got, to) {
			t.Fatalf("case %d: applied diff gives %q, want %q\ndiff:\n%s", i, got, to, diff)
		}
		if bin != "" && i%40 == 0 && len(diff) > 0 {
			if got := applyWithPatch(t, bin, from, diff); !bytes.Equal(got, to) {
				t.Fatalf("case %d: patch(1) gives %q, want %q", i, got, to)
			}
		}
	}
}
