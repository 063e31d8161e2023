package policydiff_test

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/policydiff"
)

var update = flag.Bool("update", false, "rewrite the .golden files")

// golden compares got with testdata/<name>.golden, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n%s", name, path, policydiff.Unified(want, got, policydiff.Options{FromFile: "want", ToFile: "got"}))
	}
}

func readPolicy(t *testing.T, path string) *policy.Policy {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return p
}

func TestRenderGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "render", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no render cases: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			p := readPolicy(t, f)
			got, err := policydiff.Render(p)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("render", name), got)

			// The rendering parses back to the same document, up to the
			// order of lists and statements, and rendering is idempotent.
			q, err := policy.Parse(got)
			if err != nil {
				t.Fatalf("rendering does not parse: %v\n%s", err, got)
			}
			again, err := policydiff.Render(q)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, got) {
				t.Errorf("rendering is not idempotent:\n%s", policydiff.Unified(got, again, policydiff.Options{}))
			}
			if len(q.Statements) != len(p.Statements) {
				t.Errorf("%d statements rendered, want %d", len(q.Statements), len(p.Statements))
			}
			if q.Version != p.Version || q.ID != p.ID {
				t.Errorf("Version/Id %q/%q, want %q/%q", q.Version, q.ID, p.Version, p.ID)
			}
		})
	}
}

// TestRenderOrderIndependent shuffles the statements and every list of a
// policy: the rendering must not change.
func TestRenderOrderIndependent(t *testing.T) {
	p := readPolicy(t, filepath.Join("testdata", "render", "unsorted.json"))
	want, err := policydiff.Render(p)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 50; i++ {
		q := *p
		q.Statements = slices.Clone(p.Statements)
		r.Shuffle(len(q.Statements), func(i, j int) { q.Statements[i], q.Statements[j] = q.Statements[j], q.Statements[i] })
		for j := range q.Statements {
			st := &q.Statements[j]
			for _, l := range []*[]string{&st.Action, &st.NotAction, &st.Resource, &st.NotResource} {
				*l = slices.Clone(*l)
				r.Shuffle(len(*l), func(i, j int) { (*l)[i], (*l)[j] = (*l)[j], (*l)[i] })
			}
			st.Condition = slices.Clone(st.Condition)
			r.Shuffle(len(st.Condition), func(i, j int) { st.Condition[i], st.Condition[j] = st.Condition[j], st.Condition[i] })
		}
		got, err := policydiff.Render(&q)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("shuffle %d renders differently:\n%s", i, policydiff.Unified(want, got, policydiff.Options{}))
		}
	}
}

func TestRenderOneValuePerLine(t *testing.T) {
	p := readPolicy(t, filepath.Join("testdata", "render", "unsorted.json"))
	got, err := policydiff.Render(p)
	if err != nil {
		t.Fatal(err)
	}
	text := string(got)
	// Each action on its own line, sorted ignoring case, exact duplicates
	// dropped.
	want := "        \"S3:GetBucketLocation\",\n        \"s3:GetObject\",\n        \"s3:ListBucket\"\n"
	if !strings.Contains(text, want) {
		t.Errorf("actions not one per line in order:\n%s", text)
	}
	if strings.Count(text, `"s3:GetObject"`) != 1 {
		t.Errorf("duplicate action rendered twice:\n%s", text)
	}
	// Allow statements come before the Deny statement.
	if strings.Index(text, `"Deny"`) < strings.LastIndex(text, `"Allow"`) {
		t.Errorf("Deny statement before an Allow statement:\n%s", text)
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name string
		st   policy.Statement
	}{
		{"no effect", policy.Statement{Action: []string{"s3:GetObject"}}},
		{"no action", policy.Statement{Effect: policy.Allow, Resource: []string{"*"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := policydiff.Render(&policy.Policy{Statements: []policy.Statement{tt.st}})
			if err == nil || !strings.Contains(err.Error(), "statement 0") {
				t.Errorf("err = %v, want an error naming statement 0", err)
			}
		})
	}
}
