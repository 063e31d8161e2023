package rightsize

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tailor-sec/tailor/policy"
)

// serviceShares counts a suggestion's kept actions by service, most first.
func serviceShares(sug *Suggestion) []ServiceShare {
	by := map[string]*ServiceShare{}
	add := func(list []Action, unobservable bool) {
		for _, a := range list {
			svc, _, _ := strings.Cut(a.Action, ":")
			sh := by[svc]
			if sh == nil {
				sh = &ServiceShare{Service: svc}
				by[svc] = sh
			}
			sh.Kept++
			if unobservable {
				sh.Unobservable++
			}
		}
	}
	add(sug.Kept, false)
	add(sug.Unobservable, true)
	out := make([]ServiceShare, 0, len(by))
	for _, sh := range by {
		out = append(out, *sh)
	}
	slices.SortFunc(out, func(a, b ServiceShare) int {
		if c := cmp.Compare(b.Kept, a.Kept); c != 0 {
			return c
		}
		return strings.Compare(a.Service, b.Service)
	})
	return out
}

// topServices describes the first n shares: "ec2 812 actions (797 the logs
// cannot show), iam 120 (...)".
func topServices(shares []ServiceShare, n int) string {
	var parts []string
	for i, sh := range shares {
		if i == n {
			parts = append(parts, fmt.Sprintf("and %d more services", len(shares)-n))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d actions (%d the logs cannot show)", sh.Service, sh.Kept, sh.Unobservable))
	}
	return strings.Join(parts, ", ")
}

// serviceLevel widens the action lists of the suggestion's Allow drafts to
// whole services ("svc:*") wherever today's policies grant the whole
// service on the draft's resources under its conditions: it widens every
// service, asks policy.Covers, and narrows back the services of the gaps
// until the form is covered. It returns nil when no service can be
// widened.
func (rs *Rightsizer) serviceLevel(s *Subject, drafts []*draft, o *observed) (*ServiceLevel, error) {
	type widened struct {
		dr   *draft
		orig map[string][]string // by service: the names it replaces
	}
	var ws []widened
	var out []*draft
	for _, d := range drafts {
		c := *d
		out = append(out, &c)
		if c.effect != policy.Allow || len(c.notAction) > 0 {
			continue
		}
		w := widened{dr: &c, orig: map[string][]string{}}
		for _, a := range c.actions {
			svc, _, _ := strings.Cut(strings.ToLower(a), ":")
			if _, ok := rs.acts.svcBits[svc]; ok {
				w.orig[svc] = append(w.orig[svc], a)
			}
		}
		ws = append(ws, w)
	}
	narrowed := map[string]bool{}
	current := policy.PolicySet{Identity: s.Identity, Boundary: s.Boundary}
	for range len(rs.acts.services) + 1 {
		wide := map[string]bool{}
		for _, w := range ws {
			var acts []string
			for _, a := range w.dr.actions {
				svc, _, _ := strings.Cut(strings.ToLower(a), ":")
				if _, ok := w.orig[svc]; !ok {
					acts = append(acts, a)
				}
			}
			for svc, names := range w.orig {
				if narrowed[svc] {
					acts = append(acts, names...)
				} else {
					acts = append(acts, svc+":*")
					wide[svc] = true
				}
			}
			slices.Sort(acts)
			w.dr.actions = slices.Compact(acts)
		}
		if len(wide) == 0 {
			return nil, nil
		}
		var stmts []policy.Statement
		for _, d := range out {
			stmts = append(stmts, d.statement())
		}
		probe := &policy.Policy{Version: policy.Version2012, Statements: stmts}
		if err := probe.Compile(); err != nil {
			return nil, fmt.Errorf("service-level form of %s: %w", s.ARN, err)
		}
		cov := policy.Covers(rs.acts, current, policy.PolicySet{Identity: []*policy.Policy{probe}, Boundary: s.Boundary})
		if cov.Verdict == policy.Covered {
			docs, sizes, err := documents(s.Name+"-service-level", out, rs.opts.maxSize())
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.ARN, err)
			}
			if _, err := rs.verify(s, docs, o); err != nil {
				return nil, err
			}
			return &ServiceLevel{Policies: docs, Sizes: sizes, Services: slices.Sorted(maps.Keys(wide))}, nil
		}
		progress := false
		for _, gap := range cov.Gaps {
			svc, _, _ := strings.Cut(strings.ToLower(gap.Action), ":")
			if wide[svc] && !narrowed[svc] {
				narrowed[svc], progress = true, true
			}
		}
		if !progress {
			return nil, nil
		}
	}
	return nil, nil
}

// DayRanges writes days (sorted UTC midnights) as dates and ranges:
// "2026-10-03, 2026-10-09 to 2026-10-11".
func DayRanges(days []time.Time) string {
	var parts []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j+1].Sub(days[j]) == day {
			j++
		}
		if j == i {
			parts = append(parts, days[i].UTC().Format(time.DateOnly))
		} else {
			parts = append(parts, days[i].UTC().Format(time.DateOnly)+" to "+days[j].UTC().Format(time.DateOnly))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
