package review_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/review"
)

// loadSnapshot reads an IAM snapshot fixture.
func loadSnapshot(t *testing.T, path string) *account.Snapshot {
	t.Helper()
	snap, err := account.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// testVendors reads the known-accounts list written for these tests.
func testVendors(t *testing.T) *review.Vendors {
	t.Helper()
	v, err := review.LoadVendors(filepath.Join("testdata", "vendors", "known.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func runReview(t *testing.T, in review.Input, opts review.Options) *review.Report {
	t.Helper()
	rep, err := review.Review(context.Background(), in, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// findings maps each principal (by the last part of its ARN) to its
// findings' rules and severities; a rule found more than once (one
// ESCALATION-PATH per method) maps to its worst severity.
func findings(rep *review.Report) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, p := range rep.Principals {
		name := p.ARN[strings.LastIndexAny(p.ARN, "/:")+1:]
		m := map[string]string{}
		for _, f := range p.Findings {
			if _, seen := m[f.Rule]; !seen { // findings come worst first
				m[f.Rule] = f.Severity.String()
			}
		}
		out[name] = m
	}
	return out
}

func finding(rep *review.Report, principalSuffix, rule string) *review.Finding {
	for _, p := range rep.Principals {
		if !strings.HasSuffix(p.ARN, principalSuffix) {
			continue
		}
		for _, f := range p.Findings {
			if f.Rule == rule {
				return f
			}
		}
	}
	return nil
}

func principal(rep *review.Report, suffix string) *review.Principal {
	for _, p := range rep.Principals {
		if strings.HasSuffix(p.ARN, suffix) {
			return p
		}
	}
	return nil
}

func fact(e review.Evidence, name string) string {
	for _, f := range e.Facts {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// sameFindings compares got with want and reports the differences.
func sameFindings(t *testing.T, got, want map[string]map[string]string) {
	t.Helper()
	for p, w := range want {
		g, ok := got[p]
		if !ok {
			t.Errorf("principal %s missing; got %v", p, got)
			continue
		}
		for rule, sev := range w {
			if g[rule] != sev {
				t.Errorf("%s: %s = %q, want %q", p, rule, g[rule], sev)
			}
		}
		for rule, sev := range g {
			if _, ok := w[rule]; !ok {
				t.Errorf("%s: unexpected %s (%s)", p, rule, sev)
			}
		}
	}
	for p, g := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("unexpected principal %s with %v", p, g)
		}
	}
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
