package rightsize

import (
	"slices"
	"strings"
	"sync"

	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/policy"
)

// actionIndex numbers the catalog's actions and answers the questions the
// rightsizer asks of them many times: built once per Rightsizer, read-only
// afterwards. It is the policy.Catalog that expansions and policy.Covers
// run against, so that the action lists of a service are built once.
type actionIndex struct {
	cat       *catalog.Catalog
	services  []string
	byService map[string][]string // lowercase prefix → canonical names, sorted
	id        map[string]int32    // lowercase full name → id
	exact     map[string]int32    // canonical full name → id
	names     []string            // id → canonical full name
	acts      []*catalog.Action   // id → action
	svcBits   map[string]bitset   // lowercase prefix → its actions
	// permOnly, neverLogged and unknownObs hold the actions whose use the
	// logs can never show, by catalog.Observability class.
	permOnly    bitset
	neverLogged bitset
	unknownObs  bitset
	// data maps an event source to the actions CloudTrail logs only as its
	// data events (catalog.DataEvent).
	data map[string]bitset
	// resTypes lists, per lowercase prefix, the service's resource types.
	resTypes map[string][]resType
	// patterns caches pattern: lowercase action pattern → bitset.
	patterns sync.Map
}

var _ policy.Catalog = (*actionIndex)(nil)

func newActionIndex(cat *catalog.Catalog) *actionIndex {
	x := &actionIndex{
		cat:       cat,
		services:  cat.Services(),
		byService: map[string][]string{},
		id:        make(map[string]int32, cat.Len()),
		exact:     make(map[string]int32, cat.Len()),
		svcBits:   map[string]bitset{},
		data:      map[string]bitset{},
		resTypes:  map[string][]resType{},
	}
	for _, s := range x.services {
		svc, _ := cat.Service(s)
		x.byService[s] = cat.Actions(s)
		x.acts = append(x.acts, svc.Actions...)
		for _, rt := range svc.Resources {
			x.resTypes[s] = append(x.resTypes[s], newResType(rt.Name, rt.ARNFormats))
		}
	}
	// Ids follow the order of full names, so that walking a bitset lists
	// actions sorted.
	slices.SortFunc(x.acts, func(a, b *catalog.Action) int { return strings.Compare(a.FullName(), b.FullName()) })
	for _, a := range x.acts {
		n := a.FullName()
		x.id[strings.ToLower(n)] = int32(len(x.names))
		x.exact[n] = int32(len(x.names))
		x.names = append(x.names, n)
	}
	n := len(x.names)
	x.permOnly, x.neverLogged, x.unknownObs = newBitset(n), newBitset(n), newBitset(n)
	for i, a := range x.acts {
		id := int32(i)
		switch a.Observability {
		case catalog.PermissionOnly:
			x.permOnly.set(id)
		case catalog.NeverLogged:
			x.neverLogged.set(id)
		case catalog.UnknownObservability:
			x.unknownObs.set(id)
		case catalog.DataEvent:
			src := a.DataEvent.EventSource
			d, ok := x.data[src]
			if !ok {
				d = newBitset(n)
				x.data[src] = d
			}
			d.set(id)
		}
		b, ok := x.svcBits[a.Service]
		if !ok {
			b = newBitset(n)
			x.svcBits[a.Service] = b
		}
		b.set(id)
	}
	return x
}

// Services implements policy.Catalog. The slice is shared: do not modify.
func (x *actionIndex) Services() []string { return x.services }

// Actions implements policy.Catalog. The slice is shared: do not modify.
func (x *actionIndex) Actions(prefix string) []string {
	return x.byService[strings.ToLower(prefix)]
}

// lookup returns the id of an action by full name, ignoring case.
func (x *actionIndex) lookup(name string) (int32, bool) {
	if id, ok := x.exact[name]; ok {
		return id, true // a canonical name: no lowercase copy needed
	}
	id, ok := x.id[strings.ToLower(name)]
	return id, ok
}

func (x *actionIndex) bits() bitset { return newBitset(len(x.names)) }

// expand returns the catalog actions a statement's Action or NotAction
// covers as a bitset, and the actions it names that the catalog does not
// know, as written.
// Each pattern is expanded once per index (see pattern), so that a policy
// of thousands of NotAction statements costs set operations, not catalog
// walks.
func (x *actionIndex) expand(st *policy.Statement) (bitset, []string) {
	if len(st.Action) == 0 && len(st.NotAction) > 0 {
		b := x.bits()
		for i := range b {
			b[i] = ^uint64(0)
		}
		if r := len(x.names) % 64; r != 0 {
			b[len(b)-1] = 1<<r - 1
		}
		for _, p := range st.NotAction {
			b.andNot(x.pattern(p))
		}
		return b, nil
	}
	b := x.bits()
	var unknown []string
	for _, a := range st.Action {
		pb := x.pattern(a)
		if !strings.ContainsAny(a, "*?") && pb.empty() {
			unknown = append(unknown, a)
			continue
		}
		b.or(pb)
	}
	return b, unknown
}

// pattern returns the catalog actions an action pattern (or name) covers,
// expanded once and shared: do not modify.
func (x *actionIndex) pattern(p string) bitset {
	key := strings.ToLower(p)
	if v, ok := x.patterns.Load(key); ok {
		return v.(bitset)
	}
	b := x.bits()
	for _, a := range policy.StatementActions(x, &policy.Statement{Action: []string{p}}) {
		if id, ok := x.lookup(a); ok {
			b.set(id)
		}
	}
	v, _ := x.patterns.LoadOrStore(key, b)
	return v.(bitset)
}

// dependents returns the ids of the actions the catalog says a call of
// action id also needs.
func (x *actionIndex) dependents(id int32) []int32 {
	a := x.acts[id]
	var out []int32
	add := func(names []string) {
		for _, n := range names {
			if d, ok := x.lookup(n); ok && d != id && !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	add(a.DependentActions)
	for _, r := range a.Resources {
		add(r.DependentActions)
	}
	return out
}

// observability returns the catalog's observability class of action id and
// its reason, for the report of an action kept because the logs cannot
// show it.
func (x *actionIndex) observability(id int32) (catalog.Observability, string) {
	a := x.acts[id]
	return a.Observability, a.ObservabilityWhy
}

// supportsResources reports whether the action can be limited to
// resources (it names resource types) rather than only "*".
func (x *actionIndex) supportsResources(id int32) bool { return len(x.acts[id].Resources) > 0 }

// relevant reports whether ARN (or folded ARN prefix) r is a resource of a
// type action id applies to: r's best-matching resource type among the
// action's service's types (the one whose ARN format matches it with the
// most literal characters) is one the action names. A resource of another
// type the same call touched (the bucket of a GetObject) is not relevant
// to the action.
func (x *actionIndex) relevant(id int32, r string, cache map[string]string) bool {
	a := x.acts[id]
	if len(a.Resources) == 0 {
		return false
	}
	key := a.Service + "\x00" + r
	best, ok := cache[key]
	if !ok {
		best = x.classify(a, r)
		cache[key] = best
	}
	if best == "" {
		return false
	}
	for _, rr := range a.Resources {
		if strings.EqualFold(rr.Name, best) {
			return true
		}
	}
	return false
}

// classify returns the name of the resource type of a's service (or named
// by a) that r matches best, or "".
func (x *actionIndex) classify(a *catalog.Action, r string) string {
	best, bestLen := "", -1
	try := func(rt resType) {
		if n := rt.match(r); n > bestLen {
			best, bestLen = rt.name, n
		}
	}
	for _, rt := range x.resTypes[a.Service] {
		try(rt)
	}
	for _, rr := range a.Resources {
		if !slices.ContainsFunc(x.resTypes[a.Service], func(t resType) bool { return strings.EqualFold(t.name, rr.Name) }) {
			try(newResType(rr.Name, rr.ARNFormats))
		}
	}
	return best
}

// resType is a resource type with its ARN formats split at the ${...}
// placeholders.
type resType struct {
	name    string
	formats [][]string // literal pieces; a placeholder lies between two
}

func newResType(name string, formats []string) resType {
	rt := resType{name: name}
	for _, f := range formats {
		var pieces []string
		for {
			i := strings.Index(f, "${")
			if i < 0 {
				break
			}
			j := strings.IndexByte(f[i:], '}')
			if j < 0 {
				break
			}
			pieces = append(pieces, f[:i])
			f = f[i+j+1:]
		}
		rt.formats = append(rt.formats, append(pieces, f))
	}
	return rt
}

// match returns the number of literal characters of the longest format
// that matches s, or -1. A placeholder matches any run of characters; the
// partition placeholder makes "arn:aws:" and "arn:aws-cn:" both match.
func (rt resType) match(s string) int {
	best := -1
	for _, pieces := range rt.formats {
		if globPieces(pieces, s) {
			n := 0
			for _, p := range pieces {
				n += len(p)
			}
			best = max(best, n)
		}
	}
	return best
}

// globPieces reports whether s is pieces[0] + any + pieces[1] + any + ...
// + pieces[n-1].
func globPieces(pieces []string, s string) bool {
	if len(pieces) == 1 {
		return s == pieces[0]
	}
	if !strings.HasPrefix(s, pieces[0]) {
		return false
	}
	s = s[len(pieces[0]):]
	last := pieces[len(pieces)-1]
	for _, p := range pieces[1 : len(pieces)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, last)
}
