package rightsize

import (
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/policy"
)

// A suggestion names actions the way a person reads them best. A wildcard
// of today's statement whose every effective action the suggestion keeps
// stays as it was written ("ec2:Describe*"), and so does a NotAction
// statement that keeps everything it grants: spelling them out would make
// the suggestion longer than the policy it replaces and no smaller. With
// Options.Compact, the remaining action lists are written as the fewest
// wildcards, cut at the words of the action names, that match exactly the
// kept actions in the catalog.

// pattern returns the catalog actions an action pattern covers, cached.
func (rs *Rightsizer) pattern(p string) bitset { return rs.acts.pattern(p) }

// within reports whether every action of b that the boundary allows and
// no unconditional Deny refuses is in have, and whether there is one.
func (g *grants) within(b, have bitset) (all, some bool) {
	all = true
	for i, w := range b {
		e := w & g.boundary[i] &^ g.denied[i]
		some = some || e != 0
		if e&^have[i] != 0 {
			return false, some
		}
	}
	return all, some
}

// asWritten rewrites dr, the draft that keeps statement st's own resources
// and conditions, to use st's own wildcards (or its NotAction) where dr
// keeps every effective action they grant. Actions a kept wildcard covers
// leave the list.
func (rs *Rightsizer) asWritten(dr *draft, p *policy.Policy, st *policy.Statement, g *grants) {
	if len(st.NotAction) > 0 {
		if all, _ := g.within(rs.stmt(p, st).acts, dr.ids); all {
			dr.actions, dr.notAction = nil, st.NotAction
		}
		return
	}
	var kept []string
	var covered bitset
	for _, a := range st.Action {
		if !strings.ContainsAny(a, "*?") {
			continue
		}
		pb := rs.pattern(a)
		if all, some := g.within(pb, dr.ids); all && some {
			kept = append(kept, a)
			if covered == nil {
				covered = rs.acts.bits()
			}
			covered.or(pb)
		}
	}
	if len(kept) == 0 {
		return
	}
	out := kept
	for _, a := range dr.actions {
		if id, ok := rs.acts.lookup(a); !ok || !covered.has(id) {
			out = append(out, a)
		}
	}
	dr.actions = out
}

// granted returns the catalog actions a draft's Action or NotAction names.
func (rs *Rightsizer) granted(dr *draft) bitset {
	if len(dr.notAction) > 0 {
		b, _ := rs.acts.expand(&policy.Statement{NotAction: dr.notAction})
		return b
	}
	b := rs.acts.bits()
	for _, a := range dr.actions {
		if strings.ContainsAny(a, "*?") {
			b.or(rs.pattern(a))
		} else if id, ok := rs.acts.lookup(a); ok {
			b.set(id)
		}
	}
	return b
}

// tidy sorts a draft's actions and resources and drops entries another
// entry of the same list already covers: a name its own list's wildcard
// matches, any resource beside "*".
func tidy(dr *draft) {
	dr.actions = dropCovered(dr.actions, actionCovers)
	if slices.Contains(dr.resource, "*") {
		dr.resource = []string{"*"}
	} else {
		dr.resource = dropCovered(dr.resource, policy.ResourceContains)
	}
}

// actionCovers reports whether action pattern pat covers every action s
// matches: s a name pat matches, or s a pattern that starts with the text of
// pat, a "prefix*" pattern. Actions compare ignoring case.
func actionCovers(pat, s string) bool {
	pat, s = strings.ToLower(pat), strings.ToLower(s)
	if !strings.ContainsAny(s, "*?") {
		return tailor.MatchGlob(pat, s)
	}
	prefix, ok := strings.CutSuffix(pat, "*")
	return ok && !strings.ContainsAny(prefix, "*?") && strings.HasPrefix(s, prefix)
}

// dropCovered returns list sorted, without duplicates and without the
// entries that another entry (a pattern) covers.
func dropCovered(list []string, covers func(pat, s string) bool) []string {
	if len(list) < 2 {
		return list
	}
	list = slices.Clone(list)
	slices.Sort(list)
	list = slices.Compact(list)
	var pats []string
	for _, s := range list {
		if strings.ContainsAny(s, "*?") {
			pats = append(pats, s)
		}
	}
	if len(pats) == 0 {
		return list
	}
	return slices.DeleteFunc(list, func(s string) bool {
		for _, p := range pats {
			if p != s && covers(p, s) {
				return true
			}
		}
		return false
	})
}

// compact rewrites the Action list of an Allow draft as the fewest
// wildcards that match, in the catalog, exactly the actions it grants
// (plus actions no statement could grant: outside the boundary or always
// denied), cut at word boundaries of the action names ("s3:Get*",
// "ec2:DescribeInstance*", "kms:*"); actions no such wildcard covers with
// another stay as names. The wildcards admit actions AWS adds later.
func (rs *Rightsizer) compact(dr *draft, g *grants) {
	if dr.effect != policy.Allow || len(dr.notAction) > 0 || len(dr.actions) < 2 {
		return
	}
	want := rs.granted(dr)
	dontCare := rs.acts.bits()
	for i := range dontCare {
		dontCare[i] = ^(g.boundary[i] &^ g.denied[i])
	}
	var unknown []string // names the catalog does not know stay as written
	for _, a := range dr.actions {
		if _, ok := rs.acts.lookup(a); !ok && !strings.ContainsAny(a, "*?") {
			unknown = append(unknown, a)
		}
	}
	byService := map[string][]int32{}
	want.each(func(id int32) {
		a := rs.acts.acts[id]
		byService[a.Service] = append(byService[a.Service], id)
	})
	var out []string
	for _, svc := range slices.Sorted(maps.Keys(byService)) {
		out = append(out, rs.compactService(svc, byService[svc], want, dontCare)...)
	}
	dr.actions = append(out, unknown...)
	slices.Sort(dr.actions)
}

// compactService covers the kept actions ids of one service with the
// fewest word-prefix wildcards (each matching at least two kept actions and
// nothing outside want or dontCare) and names.
func (rs *Rightsizer) compactService(svc string, ids []int32, want, dontCare bitset) []string {
	all := rs.acts.byService[svc]
	lower := make([]string, len(all)) // names without the prefix, lowercase
	allIDs := make([]int32, len(all))
	for i, n := range all {
		lower[i] = strings.ToLower(n[len(svc)+1:])
		allIDs[i], _ = rs.acts.lookup(n)
	}
	// valid reports whether prefix (lowercase) matches at least two kept
	// actions and only actions that may be granted.
	valid := func(prefix string) bool {
		kept := 0
		for i, n := range lower {
			if !strings.HasPrefix(n, prefix) {
				continue
			}
			id := allIDs[i]
			if want.has(id) {
				kept++
			} else if !dontCare.has(id) {
				return false
			}
		}
		return kept >= 2
	}
	// Candidate prefixes: every word prefix of a kept name, shortest
	// first, so that the first valid one covering a name is the widest.
	short := func(id int32) string { return rs.acts.names[id][len(svc)+1:] }
	var cands []string
	seen := map[string]bool{}
	for _, id := range ids {
		for _, p := range wordPrefixes(short(id)) {
			if lp := strings.ToLower(p); !seen[lp] {
				seen[lp] = true
				cands = append(cands, p)
			}
		}
	}
	slices.SortStableFunc(cands, func(a, b string) int { return len(a) - len(b) })
	var out []string
	done := map[int32]bool{}
	under := func(id int32, lc string) bool { return strings.HasPrefix(strings.ToLower(short(id)), lc) }
	for _, c := range cands {
		lc := strings.ToLower(c)
		if !slices.ContainsFunc(ids, func(id int32) bool { return !done[id] && under(id, lc) }) || !valid(lc) {
			continue
		}
		out = append(out, svc+":"+c+"*")
		for _, id := range ids {
			if under(id, lc) {
				done[id] = true
			}
		}
	}
	for _, id := range ids {
		if !done[id] {
			out = append(out, rs.acts.names[id])
		}
	}
	return out
}

// wordPrefixes returns the prefixes of an action name that end before one
// of its words: "" and, for "DescribeInstanceStatus", "Describe" and
// "DescribeInstance". The whole name is not one.
func wordPrefixes(name string) []string {
	out := []string{""}
	r := []rune(name)
	for i := 1; i < len(r); i++ {
		if unicode.IsUpper(r[i]) && !unicode.IsUpper(r[i-1]) {
			out = append(out, string(r[:i]))
		}
	}
	return out
}
