package policy

import (
	"fmt"
	"strings"
)

// Verdict is the answer of [Covers].
type Verdict uint8

// The verdicts of Covers.
const (
	// NotProven: Covers could not prove coverage, and found no request it
	// is sure of. The gaps say where the proof failed.
	NotProven Verdict = iota
	// Covered: every request the inner set allows, the outer set allows.
	Covered
	// NotCovered: some request the inner set allows, the outer set
	// refuses; the gaps marked Certain show one.
	NotCovered
)

// String returns "covered", "not covered" or "not proven".
func (v Verdict) String() string {
	switch v {
	case Covered:
		return "covered"
	case NotCovered:
		return "not covered"
	}
	return "not proven"
}

// Coverage is the result of [Covers].
type Coverage struct {
	Verdict Verdict
	// Gaps lists, per inner Allow statement, action and resource pattern,
	// why coverage could not be shown. Empty when Verdict is Covered.
	Gaps []Gap
}

// Gap is one place where [Covers] could not show that the outer set allows
// what the inner set allows.
type Gap struct {
	Action string // a concrete action, "s3:GetObject"
	// Resource is the inner statement's resource pattern concerned: one
	// Resource entry, "*" for a statement without Resource, or
	// "NotResource: a, b".
	Resource  string
	Statement StatementRef // the inner Allow statement
	// Certain is true when the inner set surely allows some request of
	// this action and resource that the outer set refuses.
	Certain bool
	Reason  string
}

// String describes the gap on one line.
func (g Gap) String() string {
	return fmt.Sprintf("%s on %s (%s): %s", g.Action, g.Resource, g.Statement, g.Reason)
}

// Covers reports whether outer allows every request that inner allows, for
// the actions of the catalog: whether replacing outer by inner can grant no
// new access. It is sound: Covered is only returned when it holds for every
// resource and every request context. It is not complete: it answers
// NotProven when it cannot decide.
//
// For each Allow statement of inner's identity policies, each action it
// covers (see [StatementActions]) and each of its resource patterns, Covers
// requires
//   - an outer identity Allow statement that covers the action, whose
//     resources contain the pattern (see [ResourceContains]) and whose
//     conditions are implied by the inner statement's;
//   - the same of the outer boundary and of each outer SCP level, unless
//     inner has an equal boundary or equal SCPs;
//   - for every outer Deny statement that may apply to the action and
//     resource, an inner Deny statement that covers it: same action, a
//     resource region containing the pattern or the outer Deny's, and
//     conditions implied by the two statements' conditions together.
//
// Conditions: a clause of the outer statement is implied by a clause of the
// inner one on the same key (ignoring case) with the same operator family,
// negation and set operator, when the inner clause is no weaker: the same
// or fewer values for a positive operator (more for a negated one); a
// StringLike pattern contained in a wider one; a StringEquals value matched
// by a StringLike pattern; a CIDR block within a wider one; for ordered
// Numeric and Date operators, a tighter bound; IfExists on the outer clause
// only. Other clauses (different keys, operators or families) are not
// compared, and a statement whose conditions are not implied does not
// cover.
//
// Policy variables: a Resource entry or condition value holding a
// variable that does not resolve matches nothing, and only that entry or
// value (see [Evaluate]); so patterns and values holding variables are
// compared as text (the same variable at the same place), which holds
// whatever the variable resolves to or whether it resolves at all.
//
// Inner's own boundary, SCPs and Deny statements are not used to narrow
// what inner allows, except to cancel outer Deny statements as above;
// resource-based policies are not modelled.
func Covers(cat Catalog, outer, inner PolicySet) Coverage {
	cv := coverer{
		outer:        compileSet(outer),
		inner:        compileSet(inner),
		sameBoundary: inner.Boundary != nil && outer.Boundary != nil && inner.Boundary.Equal(outer.Boundary),
		sameSCPs:     sameSCPs(outer.SCPs, inner.SCPs),
	}
	cv.outerDenies = cv.outer.denies()
	cv.innerDenies = cv.inner.denies()
	var gaps []Gap
	for _, c := range cv.inner.identity {
		for i := range c.stmts {
			s := &c.stmts[i]
			if s.deny {
				continue
			}
			sref := StatementRef{Layer: LayerIdentity, Policy: c.name, Index: s.idx, Sid: s.st.Sid}
			acts := StatementActions(cat, s.st)
			for _, u := range units(s) {
				uc := newUnitCache(s, u)
				for _, a := range acts {
					if g, ok := cv.check(uc, a); !ok {
						g.Action, g.Resource, g.Statement = a, u.String(), sref
						gaps = append(gaps, g)
					}
				}
			}
		}
	}
	cov := Coverage{Verdict: Covered, Gaps: gaps}
	if len(gaps) > 0 {
		cov.Verdict = NotProven
		for _, g := range gaps {
			if g.Certain {
				cov.Verdict = NotCovered
				break
			}
		}
	}
	return cov
}

type coverer struct {
	outer, inner cset
	sameBoundary bool
	sameSCPs     bool
	outerDenies  []*cstmt
	innerDenies  []*cstmt
}

// cset is a PolicySet compiled once for Covers.
type cset struct {
	identity []*compiledPolicy
	boundary []*compiledPolicy // zero or one
	scps     [][]*compiledPolicy
	hasBound bool
}

func compileSet(set PolicySet) cset {
	one := func(p *Policy) *compiledPolicy {
		c := *p.compiledForm()
		c.name = p.Name
		return &c
	}
	var cs cset
	for _, p := range set.Identity {
		if p != nil {
			cs.identity = append(cs.identity, one(p))
		}
	}
	if set.Boundary != nil {
		cs.boundary = []*compiledPolicy{one(set.Boundary)}
		cs.hasBound = true
	}
	for _, lvl := range set.SCPs {
		var ps []*compiledPolicy
		for _, p := range lvl {
			if p != nil {
				ps = append(ps, one(p))
			}
		}
		cs.scps = append(cs.scps, ps)
	}
	return cs
}

// denies returns every Deny statement of the set, all layers.
func (cs *cset) denies() []*cstmt {
	var out []*cstmt
	add := func(c *compiledPolicy) {
		for i := range c.stmts {
			if c.stmts[i].deny {
				out = append(out, &c.stmts[i])
			}
		}
	}
	for _, c := range cs.identity {
		add(c)
	}
	for _, c := range cs.boundary {
		add(c)
	}
	for _, lvl := range cs.scps {
		for _, c := range lvl {
			add(c)
		}
	}
	return out
}

func sameSCPs(a, b [][]*Policy) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if !a[i][j].Equal(b[i][j]) {
				return false
			}
		}
	}
	return true
}

// unitCache remembers, for one inner statement and one of its resource
// units, the answers about each other statement that do not depend on the
// action.
type unitCache struct {
	s        *cstmt
	u        region
	within   map[*cstmt]bool // u within the statement's region
	meets    map[*cstmt]bool // u may intersect the statement's region
	implied  map[*cstmt]bool // the statement's conditions implied by s's
	witness  string
	hasWitns bool
}

func newUnitCache(s *cstmt, u region) *unitCache {
	uc := &unitCache{s: s, u: u, within: map[*cstmt]bool{}, meets: map[*cstmt]bool{}, implied: map[*cstmt]bool{}}
	uc.witness, uc.hasWitns = u.witness()
	return uc
}

func (uc *unitCache) isWithin(o *cstmt) bool {
	v, ok := uc.within[o]
	if !ok {
		v = regionWithin(uc.u, regionOf(o))
		uc.within[o] = v
	}
	return v
}

func (uc *unitCache) mayMeet(o *cstmt) bool {
	v, ok := uc.meets[o]
	if !ok {
		v = regionMayIntersect(uc.u, regionOf(o))
		uc.meets[o] = v
	}
	return v
}

// condsImplied reports whether o's conditions hold whenever s's do.
func (uc *unitCache) condsImplied(o *cstmt) bool {
	v, ok := uc.implied[o]
	if !ok {
		v = condImplies(o.conds, uc.s.conds)
		uc.implied[o] = v
	}
	return v
}

// check decides whether outer allows action a on the unit's region under
// the conditions of the unit's inner statement. It returns the gap when
// not.
func (cv *coverer) check(uc *unitCache, a string) (Gap, bool) {
	s := uc.s
	innerPlain := len(s.conds) == 0 && len(cv.inner.scps) == 0 && !cv.inner.hasBound && !cv.innerDeniesAction(a)
	layer := func(name string, ps []*compiledPolicy) (Gap, bool) {
		if cv.allowedBy(ps, uc, a) {
			return Gap{}, true
		}
		none := !cv.anyAllowFor(ps, a, nil)
		reason := name + " has no Allow statement for it with resources and conditions at least as wide"
		switch {
		case none:
			reason = name + " allows no such action"
		case innerPlain && uc.hasWitns:
			if !cv.anyAllowFor(ps, a, &uc.witness) {
				reason = fmt.Sprintf("%s allows it on no resource like %q", name, uc.witness)
				none = true
			}
		}
		return Gap{Certain: none && innerPlain, Reason: reason}, false
	}
	if g, ok := layer("the outer identity policies", cv.outer.identity); !ok {
		return g, false
	}
	if cv.outer.hasBound && !cv.sameBoundary {
		if g, ok := layer("the outer boundary", cv.outer.boundary); !ok {
			return g, false
		}
	}
	if !cv.sameSCPs {
		for i, lvl := range cv.outer.scps {
			if g, ok := layer(fmt.Sprintf("outer SCP level %d", i), lvl); !ok {
				return g, false
			}
		}
	}
	for _, d := range cv.outerDenies {
		if !d.matchAction(a) || !uc.mayMeet(d) {
			continue
		}
		if cv.denyCancelled(uc, d, a) {
			continue
		}
		certain := innerPlain && len(d.conds) == 0 && uc.isWithin(d)
		return Gap{Certain: certain, Reason: fmt.Sprintf("outer Deny statement %d (Sid %q) may refuse it and no inner Deny matches it", d.idx, d.st.Sid)}, false
	}
	return Gap{}, true
}

func (cv *coverer) innerDeniesAction(a string) bool {
	for _, d := range cv.innerDenies {
		if d.matchAction(a) {
			return true
		}
	}
	return false
}

// allowedBy reports whether some Allow statement of ps covers action a on
// region u under conditions implied by s's.
func (cv *coverer) allowedBy(ps []*compiledPolicy, uc *unitCache, a string) bool {
	for _, c := range ps {
		for i := range c.stmts {
			o := &c.stmts[i]
			if o.deny || !o.matchAction(a) || !uc.isWithin(o) {
				continue
			}
			if uc.condsImplied(o) {
				return true
			}
		}
	}
	return false
}

// anyAllowFor reports whether some Allow statement of ps may allow action
// a, whatever its conditions; when resource is not nil, only statements
// whose resources may include it count.
func (cv *coverer) anyAllowFor(ps []*compiledPolicy, a string, resource *string) bool {
	for _, c := range ps {
		for i := range c.stmts {
			s := &c.stmts[i]
			if s.deny || !s.matchAction(a) {
				continue
			}
			if resource == nil || regionOf(s).mayContain(*resource) {
				return true
			}
		}
	}
	return false
}

// denyCancelled reports whether an inner Deny statement refuses every
// request that inner statement s allows and outer Deny d refuses, for action
// a on region u.
func (cv *coverer) denyCancelled(uc *unitCache, d *cstmt, a string) bool {
	for _, x := range cv.innerDenies {
		if !x.matchAction(a) {
			continue
		}
		if !uc.isWithin(x) && !regionWithin(regionOf(d), regionOf(x)) {
			continue
		}
		if condImplies(x.conds, uc.s.conds, d.conds) {
			return true
		}
	}
	return false
}

// region is the set of resources a statement's Resource or NotResource
// element covers.
type region struct {
	any  bool      // every resource
	not  bool      // every resource but pats
	pats []pattern // Resource patterns, or NotResource patterns when not
}

func regionOf(s *cstmt) region {
	return region{any: s.anyResource, not: s.notResource, pats: s.resources}
}

// units splits a statement's region into the pieces Covers checks one by
// one: each Resource pattern, or the whole NotResource region.
func units(s *cstmt) []region {
	r := regionOf(s)
	if r.any || r.not {
		return []region{r}
	}
	out := make([]region, len(r.pats))
	for i := range r.pats {
		out[i] = region{pats: r.pats[i : i+1]}
	}
	return out
}

func (r region) String() string {
	switch {
	case r.any:
		return "*"
	case r.not:
		raws := make([]string, len(r.pats))
		for i := range r.pats {
			raws[i] = r.pats[i].raw
		}
		return "NotResource: " + strings.Join(raws, ", ")
	}
	raws := make([]string, len(r.pats))
	for i := range r.pats {
		raws[i] = r.pats[i].raw
	}
	return strings.Join(raws, ", ")
}

// witness returns a resource the region surely contains: for a single
// pattern without variables, the pattern with every '*' empty and every
// '?' an "x". Only ARN-shaped witnesses are returned, so that a gap called
// certain is about a resource that can exist.
func (r region) witness() (string, bool) {
	if r.any || r.not || len(r.pats) != 1 || r.pats[0].vars > 0 {
		return "", false
	}
	var b strings.Builder
	for _, t := range r.pats[0].toks {
		switch t.kind {
		case tLit:
			b.WriteString(t.text)
		case tOne, tOneSeg:
			b.WriteByte('x')
		}
	}
	w := b.String()
	if !strings.HasPrefix(w, "arn:") || strings.Count(w, ":") < 5 {
		return "", false
	}
	return w, true
}

// mayContain reports whether resource s may be in the region; patterns with
// variables may match anything.
func (r region) mayContain(s string) bool {
	if r.any {
		return true
	}
	m := false
	for i := range r.pats {
		if r.pats[i].vars > 0 || r.pats[i].match(s, nil) {
			m = true
			break
		}
	}
	if r.not {
		// Excluded only when a variable-free pattern surely matches.
		for i := range r.pats {
			if r.pats[i].vars == 0 && r.pats[i].match(s, nil) {
				return false
			}
		}
		return true
	}
	return m
}

func (r region) hasMatchAll() bool {
	for i := range r.pats {
		if r.pats[i].matchAll() {
			return true
		}
	}
	return false
}

// regionWithin reports whether every resource of u is in r (sound, not
// complete).
func regionWithin(u, r region) bool {
	if r.any || (!r.not && r.hasMatchAll()) {
		return true
	}
	switch {
	case u.any:
		return false
	case u.not && r.not:
		// all but U ⊆ all but R  ⇔  R ⊆ U
		for i := range r.pats {
			if !withinSome(&r.pats[i], u.pats) {
				return false
			}
		}
		return true
	case u.not:
		return false
	case r.not:
		for i := range u.pats {
			for j := range r.pats {
				if intersects(&u.pats[i], &r.pats[j]) {
					return false
				}
			}
		}
		return true
	}
	for i := range u.pats {
		if !withinSome(&u.pats[i], r.pats) {
			return false
		}
	}
	return true
}

func withinSome(p *pattern, outer []pattern) bool {
	for j := range outer {
		if contains(&outer[j], p) {
			return true
		}
	}
	return false
}

// regionMayIntersect reports whether u and r may share a resource
// (over-approximated).
func regionMayIntersect(u, r region) bool {
	switch {
	case u.any || r.any:
		return true
	case u.not && r.not:
		return true
	case r.not:
		for i := range u.pats {
			if !withinSome(&u.pats[i], r.pats) {
				return true
			}
		}
		return false
	case u.not:
		for i := range r.pats {
			if !withinSome(&r.pats[i], u.pats) {
				return true
			}
		}
		return false
	}
	for i := range u.pats {
		for j := range r.pats {
			if intersects(&u.pats[i], &r.pats[j]) {
				return true
			}
		}
	}
	return false
}

// ResourceContains reports whether every ARN that Resource pattern inner
// matches is also matched by Resource pattern outer, with wildcards and
// ARN segments as in the Resource element. It is conservative: false may
// mean "could not prove it". Policy variables are opaque: one is contained
// only by the same variable or by a '*' that may cross colons.
func ResourceContains(outer, inner string) bool {
	o := compilePattern(outer, modeResource, true)
	i := compilePattern(inner, modeResource, true)
	return contains(&o, &i)
}

// ResourceIntersects reports whether some ARN may match both Resource
// patterns. It over-approximates: false is always right (no ARN matches
// both), true may be a false alarm. Policy variables match anything.
func ResourceIntersects(a, b string) bool {
	x := compilePattern(a, modeResource, true)
	y := compilePattern(b, modeResource, true)
	return intersects(&x, &y)
}

// condImplies reports whether the conjunction of the clauses in have
// implies every clause of want.
func condImplies(want []cclause, have ...[]cclause) bool {
next:
	for i := range want {
		w := &want[i]
		for _, hs := range have {
			for j := range hs {
				if clauseImplies(&hs[j], w) {
					continue next
				}
			}
		}
		return false
	}
	return true
}

// clauseImplies reports whether clause x holding implies clause y holding,
// for every request.
func clauseImplies(x, y *cclause) bool {
	if x.bad != nil || y.bad != nil || x.key != y.key {
		return false
	}
	xo, yo := x.op, y.op
	if xo.family != yo.family || xo.negated != yo.negated || xo.set != yo.set {
		return false
	}
	if xo.ifExists && !yo.ifExists {
		return false
	}
	if xo.family == famNull {
		for i := range x.vals {
			if !x.vals[i].ok {
				return false
			}
			found := false
			for j := range y.vals {
				if y.vals[j].ok && y.vals[j].flag == x.vals[i].flag {
					found = true
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	if xo.cmp != yo.cmp && !(xo.family == famString && stringCmpsCompatible(xo.cmp, yo.cmp)) {
		return false
	}
	// Positive: every x value within some y value. Negated: every y value
	// within some x value.
	inner, outer, ic, oc := x, y, xo, yo
	if xo.negated {
		inner, outer, ic, oc = y, x, yo, xo
	}
	for i := range inner.vals {
		ok := false
		for j := range outer.vals {
			if valueWithin(ic, &inner.vals[i], inner.vars, oc, &outer.vals[j], outer.vars) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// stringCmpsCompatible reports whether valueWithin can compare String
// values of comparisons a and b.
func stringCmpsCompatible(a, b opCmp) bool {
	return (a == cmpEq || a == cmpLike) && (b == cmpEq || b == cmpLike)
}

// valueWithin reports whether every request value that matches inner value
// iv (under comparison ic) also matches outer value ov (under oc).
func valueWithin(ic opInfo, iv *cvalue, ivars bool, oc opInfo, ov *cvalue, ovars bool) bool {
	if !iv.ok || !ov.ok {
		return false
	}
	hasVar := strings.Contains(iv.raw, "${") || strings.Contains(ov.raw, "${")
	if hasVar && ivars != ovars {
		return false
	}
	if iv.raw == ov.raw && ic.cmp == oc.cmp {
		return true
	}
	switch ic.family {
	case famString:
		if hasVar {
			return false
		}
		switch {
		case ic.cmp == cmpEqFold && oc.cmp == cmpEqFold:
			return strings.EqualFold(iv.raw, ov.raw)
		case ic.cmp == cmpEq && oc.cmp == cmpLike:
			return ov.pat.match(iv.raw, nil)
		case ic.cmp == cmpLike && oc.cmp == cmpLike:
			return contains(&ov.pat, &iv.pat)
		case ic.cmp == cmpLike && oc.cmp == cmpEq:
			s, lit := iv.pat.literal()
			return lit && s == ov.raw
		}
	case famARN:
		return !hasVar && ov.raw == "*"
	case famNumeric:
		switch ic.cmp {
		case cmpEq:
			return iv.num == ov.num
		case cmpLT, cmpLE:
			return iv.num <= ov.num
		case cmpGT, cmpGE:
			return iv.num >= ov.num
		}
	case famDate:
		switch ic.cmp {
		case cmpEq:
			return iv.t.Equal(ov.t)
		case cmpLT, cmpLE:
			return !iv.t.After(ov.t)
		case cmpGT, cmpGE:
			return !iv.t.Before(ov.t)
		}
	case famIP:
		return ov.ip.Bits() <= iv.ip.Bits() && ov.ip.Contains(iv.ip.Addr())
	case famBool:
		return iv.flag == ov.flag
	case famBinary:
		return string(iv.bin) == string(ov.bin)
	}
	return false
}
