package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that the parser never panics, that whatever parses
// round-trips (parse, marshal, parse gives an equal policy; marshalling is
// idempotent), and that evaluation, validation and self-coverage of a
// parsed policy do not panic — a policy whose condition values all parse
// must cover itself. Seeds are the parse fixtures in testdata.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"testdata/parse/valid", "testdata/parse/invalid"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	cat := smallCatalog()
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			if _, err := ParseEncoded(data); err == nil {
				return
			}
			return
		}
		out, err := p.MarshalJSON()
		if err != nil {
			t.Fatalf("marshal of a parsed policy: %v", err)
		}
		q, err := Parse(out)
		if err != nil {
			t.Fatalf("reparse: %v\n%s", err, out)
		}
		if !p.Equal(q) {
			t.Fatalf("round trip changed the policy:\n%s", out)
		}
		again, _ := q.MarshalJSON()
		if string(again) != string(out) {
			t.Fatalf("marshal not idempotent:\n%s\n%s", out, again)
		}
		set := PolicySet{Identity: []*Policy{p}}
		for _, req := range []Request{
			{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/key"},
			{Action: "iam:PassRole", Resource: "*", ContextComplete: true, Context: map[string][]string{"aws:username": {"a"}, "aws:TagKeys": {}}},
		} {
			d := Evaluate(req, set)
			if d.Outcome == Unknown && len(d.Missing) == 0 {
				t.Fatalf("unknown decision without missing keys: %+v", d)
			}
		}
		ws := p.Validate(cat)
		clean := true
		for _, w := range ws {
			if strings.HasPrefix(w.Element, "Condition") {
				clean = false
			}
		}
		for _, st := range p.Statements {
			for _, r := range append(st.Resource, st.NotResource...) {
				if len(r) > 200 {
					clean = false
				}
			}
			for _, c := range st.Condition {
				for _, v := range c.Values {
					if len(v) > 200 {
						clean = false
					}
				}
			}
		}
		if c := Covers(cat, set, set); clean && c.Verdict != Covered {
			t.Fatalf("policy does not cover itself: %v\n%s\n%s", c.Verdict, out, gapList(c.Gaps))
		}
	})
}
