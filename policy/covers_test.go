package policy

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

type coverFixture struct {
	Note  string      `json:"note"`
	Outer evalFixture `json:"outer"`
	Inner evalFixture `json:"inner"`
	Want  string      `json:"want"`
	Gaps  []struct {
		Action  string `json:"action"`
		Certain bool   `json:"certain"`
	} `json:"gaps"`
}

var verdictNames = map[string]Verdict{"covered": Covered, "not covered": NotCovered, "not proven": NotProven}

func TestCovers(t *testing.T) {
	files, err := filepath.Glob("testdata/covers/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	cat := smallCatalog()
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var f coverFixture
			if err := json.Unmarshal(data, &f); err != nil {
				t.Fatal(err)
			}
			outer, inner := f.Outer.loadSet(t), f.Inner.loadSet(t)
			cov := Covers(cat, outer, inner)
			want, ok := verdictNames[f.Want]
			if !ok {
				t.Fatalf("bad want %q", f.Want)
			}
			if cov.Verdict != want {
				t.Errorf("verdict %v, want %v; gaps:\n%s", cov.Verdict, want, gapList(cov.Gaps))
			}
			if (cov.Verdict == Covered) != (len(cov.Gaps) == 0) {
				t.Errorf("verdict %v with %d gaps", cov.Verdict, len(cov.Gaps))
			}
			for _, wg := range f.Gaps {
				found := false
				for _, g := range cov.Gaps {
					if g.Action == wg.Action && g.Certain == wg.Certain {
						found = true
					}
				}
				if !found {
					t.Errorf("no gap for %s with certain=%v; gaps:\n%s", wg.Action, wg.Certain, gapList(cov.Gaps))
				}
			}
			checkCoverageSound(t, cat, outer, inner, cov)
		})
	}
}

func gapList(gs []Gap) string {
	var b strings.Builder
	for _, g := range gs {
		fmt.Fprintf(&b, "  %s (certain=%v)\n", g, g.Certain)
	}
	return b.String()
}

// checkCoverageSound decides thousands of sample requests, built from the
// values the two sets mention, against both sets. When Covers says
// Covered, no sample may be allowed by inner and refused by outer; when it
// says NotCovered, some sample must be.
func checkCoverageSound(t *testing.T, cat Catalog, outer, inner PolicySet, cov Coverage) {
	t.Helper()
	var actions []string
	for _, s := range cat.Services() {
		actions = append(actions, cat.Actions(s)...)
	}
	resources, ctxVals := sampleSpace(outer, inner)
	rng := rand.New(rand.NewPCG(1, 2))
	keys := make([]string, 0, len(ctxVals))
	for k := range ctxVals {
		keys = append(keys, k)
	}
	sortStrings(keys)
	var counter *Request
	innerAllowed := 0
	for n := 0; n < 4000; n++ {
		req := Request{
			Action:          actions[rng.IntN(len(actions))],
			Resource:        resources[rng.IntN(len(resources))],
			ContextComplete: true,
			Context:         map[string][]string{},
		}
		if rng.IntN(2) == 0 {
			req.Caller.Username = "jane"
		}
		if n%2 == 0 {
			// Targeted: a request an inner Allow statement is meant for.
			if targetRequest(rng, cat, inner, resources, ctxVals, &req) {
				goto decide
			}
		}
		for _, k := range keys {
			vs := ctxVals[k]
			switch i := rng.IntN(len(vs) + 2); {
			case i == len(vs):
				// absent
			case i == len(vs)+1 && len(vs) > 1:
				req.Context[k] = []string{vs[0], vs[1]}
			case i < len(vs):
				req.Context[k] = []string{vs[i]}
			}
		}
	decide:
		in, out := Evaluate(req, inner), Evaluate(req, outer)
		if in.Outcome == Allowed {
			innerAllowed++
		}
		if in.Outcome == Allowed && out.Outcome != Allowed {
			r := req
			counter = &r
			if cov.Verdict == Covered {
				t.Fatalf("Covers said covered, but inner allows and outer refuses (%v) %+v", out.Outcome, req)
			}
			break
		}
	}
	if cov.Verdict == Covered && innerAllowed == 0 {
		t.Errorf("no sample request is allowed by the inner set: the soundness check is vacuous")
	}
	if cov.Verdict == NotCovered && counter == nil {
		t.Errorf("Covers said not covered, but no sample request shows it")
	}
}

// targetRequest fills req for a random inner Allow statement: one of its
// actions, a sample resource it matches, and for each of its condition
// clauses a sample value that satisfies the clause on its own.
func targetRequest(rng *rand.Rand, cat Catalog, inner PolicySet, resources []string, ctxVals map[string][]string, req *Request) bool {
	var stmts []*cstmt
	for _, p := range inner.Identity {
		c := p.compiledForm()
		for i := range c.stmts {
			if !c.stmts[i].deny {
				stmts = append(stmts, &c.stmts[i])
			}
		}
	}
	if len(stmts) == 0 {
		return false
	}
	s := stmts[rng.IntN(len(stmts))]
	acts := StatementActions(cat, s.st)
	if len(acts) == 0 {
		return false
	}
	req.Action = acts[rng.IntN(len(acts))]
	ev := evaluator{req: *req}
	var fits []string
	for _, r := range resources {
		req.Resource = r
		if ev.matchResource(s) == triTrue {
			fits = append(fits, r)
		}
	}
	if len(fits) == 0 {
		return false
	}
	req.Resource = fits[rng.IntN(len(fits))]
	for i := range s.conds {
		c := &s.conds[i]
		var ok []string
		for _, v := range ctxVals[c.key] {
			probe := Request{Context: map[string][]string{c.key: {v}}, ContextComplete: true, Caller: req.Caller}
			pe := evaluator{req: probe}
			if pe.clause(c) == triTrue {
				ok = append(ok, v)
			}
		}
		if len(ok) > 0 {
			req.Context[c.key] = []string{ok[rng.IntN(len(ok))]}
		}
	}
	return true
}

// sampleSpace returns resources and context values to build sample
// requests from: every resource pattern of both sets instantiated a few
// ways, and for every condition key the values the clauses name, nudged.
func sampleSpace(sets ...PolicySet) ([]string, map[string][]string) {
	res := map[string]bool{"*": true, "arn:aws:s3:::zzz": true}
	ctx := map[string]map[string]bool{}
	addCtx := func(k, v string) {
		k = strings.ToLower(k)
		if ctx[k] == nil {
			ctx[k] = map[string]bool{}
		}
		ctx[k][v] = true
	}
	fill := func(s, star string) string {
		s = strings.ReplaceAll(s, "${aws:username}", "jane")
		s = strings.ReplaceAll(s, "?", "x")
		return strings.ReplaceAll(s, "*", star)
	}
	for _, set := range sets {
		var all []*Policy
		all = append(all, set.Identity...)
		if set.Boundary != nil {
			all = append(all, set.Boundary)
		}
		for _, l := range set.SCPs {
			all = append(all, l...)
		}
		for _, p := range all {
			for _, st := range p.Statements {
				for _, r := range append(append([]string{}, st.Resource...), st.NotResource...) {
					for _, star := range []string{"", "q", "a/b:c", "prod/x"} {
						res[fill(r, star)] = true
					}
				}
				for _, c := range st.Condition {
					for _, v := range c.Values {
						addCtx(c.Key, fill(v, ""))
						addCtx(c.Key, fill(v, "zz"))
						if f, err := strconv.ParseFloat(v, 64); err == nil {
							addCtx(c.Key, strconv.FormatFloat(f-1, 'f', -1, 64))
							addCtx(c.Key, strconv.FormatFloat(f+1, 'f', -1, 64))
						}
						if tm, err := time.Parse(time.RFC3339, v); err == nil {
							addCtx(c.Key, tm.Add(-24*time.Hour).Format(time.RFC3339))
							addCtx(c.Key, tm.Add(24*time.Hour).Format(time.RFC3339))
						}
						if p, err := netip.ParsePrefix(v); err == nil {
							addCtx(c.Key, p.Addr().String())
							addCtx(c.Key, p.Addr().Next().String())
						}
					}
					if strings.HasPrefix(c.Operator, "Bool") {
						addCtx(c.Key, "true")
						addCtx(c.Key, "false")
					}
					addCtx(c.Key, "other")
				}
			}
		}
	}
	var resources []string
	for r := range res {
		resources = append(resources, r)
	}
	out := map[string][]string{}
	for k, vs := range ctx {
		for v := range vs {
			out[k] = append(out[k], v)
		}
	}
	// Map iteration order must not make the sample random.
	sortStrings(resources)
	for k := range out {
		sortStrings(out[k])
	}
	return resources, out
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
