package review_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/internal/shareddata"
	"github.com/tailor-sec/tailor/internal/vendortemplate"
)

// templateDoc is one policy document found in a vendor template of the
// shared corpus, to review as a vendor's customer would after deploying
// it. Placeholders (CloudFormation intrinsics, Terraform references) are
// "${...}" text, which the test cases substitute.
type templateDoc struct {
	where string // "file:path", the file's base name and where in it
	doc   map[string]any
}

// extractTemplate returns the policy documents of a template file.
func extractTemplate(t *testing.T, path string) []templateDoc {
	t.Helper()
	f, err := vendortemplate.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Base(path)
	for _, n := range f.Notes {
		t.Logf("%s: %s", base, n)
	}
	docs := make([]templateDoc, len(f.Documents))
	for i, d := range f.Documents {
		docs[i] = templateDoc{where: base + ":" + d.Path, doc: d.Policy}
	}
	return docs
}

// isMap reports whether v is a JSON object.
func isMap(v any) bool { _, ok := v.(map[string]any); return ok }

// managedPolicies reads AWS managed policy documents by name from the
// MAMIP tarball of the shared corpus.
func managedPolicies(t *testing.T, tarball string, names ...string) map[string]json.RawMessage {
	t.Helper()
	out := map[string]json.RawMessage{}
	shareddata.TarFiles(t, tarball, func(file string, data []byte) {
		name := file[strings.LastIndex(file, "/")+1:]
		if !slices.Contains(names, name) {
			return
		}
		var v struct {
			PolicyVersion struct {
				Document json.RawMessage
			}
		}
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		out[name] = v.PolicyVersion.Document
	})
	for _, n := range names {
		if out[n] == nil {
			t.Fatalf("managed policy %s is not in %s", n, tarball)
		}
	}
	return out
}
