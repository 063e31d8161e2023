package rightsize

import (
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/policy"
)

// grants is what a subject's policies grant today, after wildcard
// expansion, the boundary and unconditional Deny statements.
type grants struct {
	granted   bitset // granted and effective
	boundary  bitset // the boundary allows (all ones without a boundary)
	denied    bitset // refused on every resource by a Deny without conditions
	blocked   bitset // granted by a statement, outside the boundary
	refused   bitset // granted by a statement, always denied
	unknown   []string
	hasAllows bool
}

func (rs *Rightsizer) grants(s *Subject) *grants {
	g := &grants{granted: rs.acts.bits(), boundary: rs.acts.bits(), denied: rs.acts.bits(),
		blocked: rs.acts.bits(), refused: rs.acts.bits()}
	if s.Boundary == nil {
		for i := range g.boundary {
			g.boundary[i] = ^uint64(0)
		}
	} else {
		for i := range s.Boundary.Statements {
			st := &s.Boundary.Statements[i]
			if st.Effect == policy.Allow {
				g.boundary.or(rs.stmt(s.Boundary, st).acts)
			}
		}
	}
	denies := func(p *policy.Policy) {
		for i := range p.Statements {
			st := &p.Statements[i]
			if st.Effect == policy.Deny && len(st.Condition) == 0 && everyResource(st) {
				g.denied.or(rs.stmt(p, st).acts)
			}
		}
	}
	for _, p := range s.Identity {
		denies(p)
	}
	if s.Boundary != nil {
		denies(s.Boundary)
	}
	unknown := map[string]bool{}
	for _, p := range s.Identity {
		for i := range p.Statements {
			st := &p.Statements[i]
			if st.Effect != policy.Allow {
				continue
			}
			g.hasAllows = true
			info := rs.stmt(p, st)
			for w, a := range info.acts {
				b, d := g.boundary[w], g.denied[w]
				g.granted[w] |= a & b &^ d
				g.blocked[w] |= a &^ b
				g.refused[w] |= a & b & d
			}
			for _, u := range info.unknown {
				unknown[u] = true
			}
		}
	}
	g.blocked.andNot(g.granted)
	g.refused.andNot(g.granted)
	g.unknown = slices.Sorted(maps.Keys(unknown))
	return g
}

// everyResource reports whether a statement applies to every resource: no
// Resource element, or one that holds "*".
func everyResource(st *policy.Statement) bool {
	if len(st.NotResource) > 0 {
		return false
	}
	return len(st.Resource) == 0 || slices.Contains(st.Resource, "*")
}

// reasonCode numbers the reasons, for a dense table per action.
type reasonCode uint8

const (
	noReason reasonCode = iota
	codeUsed
	codePossiblyNeeded
	codeDependent
	codePermissionOnly
	codeNeverLogged
	codeUnknown
	codeNoDataEvents
	codeUnmappedCalls
	codeWindowIncomplete
	codeUnused
	codeOutsideWindow
	codeConditional
	codeLastAccessed
	codeNotAccessed
)

var reasonOf = [...]Reason{
	codeUsed: KeptUsed, codePossiblyNeeded: KeptPossiblyNeeded, codeDependent: KeptDependent,
	codePermissionOnly: KeptPermissionOnly, codeNeverLogged: KeptNeverLogged, codeUnknown: KeptUnknown, codeNoDataEvents: KeptNoDataEvents, codeUnmappedCalls: KeptUnmappedCalls,
	codeWindowIncomplete: KeptWindowIncomplete, codeUnused: RemovedUnused, codeOutsideWindow: RemovedOutsideWindow,
	codeConditional: RemovedConditional, codeLastAccessed: KeptLastAccessed, codeNotAccessed: RemovedNotAccessed,
}

// decision is the fate of every granted action.
type decision struct {
	keep bitset
	why  []reasonCode // by action id: why kept or removed
	// detail holds the explanations that name calls or actions; the
	// others follow from the reason.
	detail map[int32]string
	// source names the event source of a KeptNoDataEvents action, the
	// prefix of a KeptUnmappedCalls one.
	source map[int32]string
	calls  map[int32]int64
	last   map[int32]time.Time
	window string // why the window is incomplete
}

// decide chooses the actions to keep, each with its reason, in order of
// precedence: used, possibly needed, dependent, permission-only, never
// logged, of unknown observability, without data events, of a service
// with unmapped calls; everything when the window is incomplete.
func (rs *Rightsizer) decide(g *grants, o *observed, win *Window, wit *witness) *decision {
	d := &decision{keep: rs.acts.bits(), why: make([]reasonCode, len(rs.acts.names)), detail: map[int32]string{},
		source: map[int32]string{}, calls: map[int32]int64{}, last: map[int32]time.Time{}}
	keep := func(id int32, r reasonCode) bool {
		if d.why[id] != noReason || !g.granted.has(id) {
			return false
		}
		d.keep.set(id)
		d.why[id] = r
		return true
	}
	keepAll := func(b bitset, r reasonCode, src string) {
		for w := range b {
			m := b[w] & g.granted[w] &^ d.keep[w]
			for m != 0 {
				id := int32(w*64 + bits.TrailingZeros64(m))
				m &= m - 1
				if keep(id, r) && src != "" {
					d.source[id] = src
				}
			}
		}
	}
	for _, id := range sortedIDs(o.used) {
		u := o.used[id]
		d.calls[id], d.last[id] = u.calls, u.last
		if keep(id, codeUsed) {
			d.detail[id] = strings.Join(slices.Sorted(maps.Keys(u.events)), ", ")
		}
	}
	dropCond := rs.opts.DropConditional && rs.opts.trusted(win)
	for _, id := range sortedIDs(o.possible) {
		p := o.possible[id]
		if !g.granted.has(id) || d.why[id] != noReason {
			continue
		}
		d.detail[id] = fmt.Sprintf("possibly needed by %s (%s)", strings.Join(slices.Sorted(maps.Keys(p.events)), ", "), p.reason)
		d.calls[id], d.last[id] = p.calls, p.last
		if dropCond {
			d.why[id] = codeConditional
			continue
		}
		keep(id, codePossiblyNeeded)
	}
	for _, id := range sortedIDs(o.used) {
		for _, dep := range rs.acts.dependents(id) {
			if keep(dep, codeDependent) {
				d.detail[dep] = "dependent action of " + rs.acts.names[id]
			}
		}
	}
	if wit != nil && rs.opts.trusted(win) {
		// What the logs cannot show, IAM's record may: kept when it saw
		// the action (or its service) used in the window, removed when it
		// tracked it over all of the window and saw nothing.
		unobs := rs.acts.bits()
		unobs.or(rs.acts.permOnly)
		unobs.or(rs.acts.neverLogged)
		unobs.or(rs.acts.unknownObs)
		for src, b := range rs.acts.data {
			if !rs.cov.data[src] && !o.dataSources[src] {
				unobs.or(b)
			}
		}
		unobs.and(g.granted)
		unobs.each(func(id int32) {
			if d.why[id] != noReason {
				return
			}
			name := rs.acts.names[id]
			switch v, acc, lvl := wit.verdict(name); v {
			case account.AccessSeen:
				keep(id, codeLastAccessed)
				d.detail[id], d.last[id] = wit.seen(acc, lvl, name), acc.Last
			case account.AccessNotSeen:
				d.why[id], d.detail[id] = codeNotAccessed, wit.notSeen(acc, lvl, name)
			}
		})
	}
	keepAll(rs.acts.permOnly, codePermissionOnly, "")
	keepAll(rs.acts.neverLogged, codeNeverLogged, "")
	keepAll(rs.acts.unknownObs, codeUnknown, "")
	for _, src := range slices.Sorted(maps.Keys(rs.acts.data)) {
		if !rs.cov.data[src] && !o.dataSources[src] {
			keepAll(rs.acts.data[src], codeNoDataEvents, src)
		}
	}
	for _, prefix := range slices.Sorted(maps.Keys(o.unmappedPrefixes)) {
		if b, ok := rs.acts.svcBits[prefix]; ok {
			keepAll(b, codeUnmappedCalls, prefix)
		}
	}
	if !rs.opts.trusted(win) {
		d.window = fmt.Sprintf("%d of %d days in the window have no logs", len(win.MissingDays), win.Days)
		if win.Days == 0 {
			d.window = "the window holds no day with logs"
		}
		keepAll(g.granted, codeWindowIncomplete, "")
	}
	for w := range g.granted {
		m := g.granted[w] &^ d.keep[w]
		for m != 0 {
			id := int32(w*64 + bits.TrailingZeros64(m))
			m &= m - 1
			if d.why[id] != noReason {
				continue
			}
			if t, ok := o.outside[id]; ok {
				d.why[id] = codeOutsideWindow
				d.last[id] = t
				continue
			}
			if wit != nil && o.denied[rs.acts.names[id]] == nil {
				// The logs hold no call of the action, and IAM saw it
				// used in the window: the logs miss something (a
				// Region, a trail), so it stays.
				if v, acc, lvl := wit.verdict(rs.acts.names[id]); v == account.AccessSeen && lvl {
					keep(id, codeLastAccessed)
					d.detail[id] = wit.seen(acc, lvl, rs.acts.names[id]) + ", though the logs hold no call of it"
					d.last[id] = acc.Last
					continue
				}
			}
			d.why[id] = codeUnused
		}
	}
	return d
}

func sortedIDs[V any](m map[int32]V) []int32 {
	return slices.Sorted(maps.Keys(m))
}

// explain returns the detail of a decision.
func (d *decision) explain(x *actionIndex, id int32, o *observed, name string) string {
	if s, ok := d.detail[id]; ok {
		return s
	}
	switch d.why[id] {
	case codePermissionOnly, codeNeverLogged, codeUnknown:
		_, why := x.observability(id)
		return why
	case codeNoDataEvents:
		return "the logs hold no " + d.source[id] + " data events"
	case codeUnmappedCalls:
		return "the principal made " + d.source[id] + " calls that map to no known action"
	case codeWindowIncomplete:
		return d.window
	case codeOutsideWindow:
		return "last used " + d.last[id].UTC().Format(time.DateOnly) + ", outside the window"
	case codeUnused:
		if dn := o.denied[name]; dn != nil {
			return fmt.Sprintf("%d calls denied", dn.calls)
		}
	}
	return ""
}

// report fills the action lists and counts of a suggestion.
// present holds the actions the suggestion's statements grant: a used
// action missing from it was used only on resources no statement of
// today's covers, and is reported as used but not granted.
func (rs *Rightsizer) report(sug *Suggestion, g *grants, d *decision, o *observed, win *Window, present bitset) {
	// Every action granted by a statement, in name order: its fate.
	all := g.granted.clone()
	if rs.opts.trusted(win) {
		// With an incomplete window the statements stay as written, and
		// still name these.
		all.or(g.blocked)
		all.or(g.refused)
	}
	nKept := d.keep.count()
	sug.Kept = make([]Action, 0, len(o.used))
	sug.Unobservable = make([]Action, 0, nKept)
	sug.Removed = make([]Action, 0, all.count()-nKept)
	all.each(func(id int32) {
		name := rs.acts.names[id]
		var r Reason
		switch {
		case g.blocked.has(id):
			sug.Removed = append(sug.Removed, Action{Action: name, Reason: RemovedBoundary, Detail: "the permissions boundary does not allow it"})
			return
		case g.refused.has(id):
			sug.Removed = append(sug.Removed, Action{Action: name, Reason: RemovedDenied, Detail: "a Deny statement without conditions refuses it on every resource"})
			return
		default:
			r = reasonOf[d.why[id]]
		}
		a := Action{Action: name, Reason: r, Detail: d.explain(rs.acts, id, o, name)}
		switch d.why[id] {
		case codeUsed:
			a.Calls, a.LastUsed = d.calls[id], d.last[id]
			if u := o.used[id]; u != nil {
				a.Resources = sampleResources(u.res, 5)
			}
			if !present.has(id) {
				a.Detail = "used only on resources today's identity policies do not cover for it: " + a.Detail
				sug.UsedNotGranted = append(sug.UsedNotGranted, a)
				return
			}
			sug.Kept = append(sug.Kept, a)
		case codePossiblyNeeded:
			a.Calls, a.LastUsed = d.calls[id], d.last[id]
			sug.Unobservable = append(sug.Unobservable, a)
		case codeConditional:
			a.Calls, a.LastUsed = d.calls[id], d.last[id]
			sug.Removed = append(sug.Removed, a)
		case codeOutsideWindow:
			a.LastUsed = d.last[id]
			sug.Removed = append(sug.Removed, a)
		case codeUnused, codeNotAccessed:
			sug.Removed = append(sug.Removed, a)
		case codeLastAccessed:
			a.LastUsed = d.last[id]
			sug.Unobservable = append(sug.Unobservable, a)
		default:
			sug.Unobservable = append(sug.Unobservable, a)
		}
	})
	for _, u := range g.unknown {
		if rs.opts.trusted(win) {
			sug.Removed = append(sug.Removed, Action{Action: u, Reason: RemovedUnused, Detail: "not in the catalog: no call maps to it"})
		} else {
			sug.Unobservable = append(sug.Unobservable, Action{Action: u, Reason: KeptWindowIncomplete, Detail: "not in the catalog"})
		}
	}
	if len(g.unknown) > 0 {
		slices.SortStableFunc(sug.Removed, func(a, b Action) int { return strings.Compare(a.Action, b.Action) })
		slices.SortStableFunc(sug.Unobservable, func(a, b Action) int { return strings.Compare(a.Action, b.Action) })
	}
	for _, id := range sortedIDs(o.used) {
		if !g.granted.has(id) {
			u := o.used[id]
			sug.UsedNotGranted = append(sug.UsedNotGranted, Action{Action: rs.acts.names[id], Reason: KeptUsed, Calls: u.calls, LastUsed: u.last,
				Detail: strings.Join(slices.Sorted(maps.Keys(u.events)), ", ")})
		}
	}
	slices.SortStableFunc(sug.UsedNotGranted, func(a, b Action) int { return strings.Compare(a.Action, b.Action) })
	for _, n := range slices.Sorted(maps.Keys(o.denied)) {
		dn := o.denied[n]
		sug.Denied = append(sug.Denied, Denied{Action: n, Calls: dn.calls, LastSeen: dn.last, Events: slices.Sorted(maps.Keys(dn.events))})
	}
	for _, e := range slices.Sorted(maps.Keys(o.unmapped)) {
		u := o.unmapped[e]
		sug.Unmapped = append(sug.Unmapped, Unmapped{Event: e, Calls: u.calls, LastSeen: u.last})
	}
	sug.Granted = g.granted.count() + len(g.unknown)
	sug.Used = len(sug.Kept)
	if sug.Granted > 0 {
		sug.UnusedShare = float64(sug.Granted-sug.Used) / float64(sug.Granted)
	}
	for id := range o.possible {
		if c := d.why[id]; c == codePossiblyNeeded || c == codeConditional {
			sug.Conditional++
		}
	}
}

// sampleResources returns up to n of the resources, sorted.
func sampleResources(res map[string]map[string]bool, n int) []string {
	out := slices.Sorted(maps.Keys(res))
	if len(out) > n {
		out = out[:n]
	}
	return out
}
