package usage

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// DefaultFoldThreshold is the number of distinct resources one group of
// rows (the same day, account, principal, caller, event and region) may
// hold before its resources fold into their parent prefixes.
const DefaultFoldThreshold = 1000

// maxFoldLevel: level 1 folds an object into its parent prefix
// (bucket/a/b/key → bucket/a/b/*), level 2 into the top of the resource
// (bucket/*).
const maxFoldLevel = 2

// table aggregates rows by key, in two levels: groups of rows that differ
// only by resource, and within a group, rows by resource. A group's row
// without a resource totals its calls. A group with more than threshold
// distinct resources folds them.
//
// Folding depends only on the set of resources a group has seen, never
// on the order they came in: a group is at level 1 exactly when it saw
// more than threshold distinct resources, at level 2 exactly when those
// fold into more than threshold distinct level-1 prefixes. That is what
// makes the merge of two tables equal the table of the union.
type table struct {
	// groups by key, in shards (see shardOf) that merge in parallel.
	groups    [shards]map[gkey]*group
	threshold int
	n         int // rows
	strs      map[string]string

	scratch []byte // for folding a resource to look it up

	// the group of the last lookup, by key: consecutive events often
	// share one.
	lastKey   gkey
	lastGroup *group
}

// gkey is a group's key as a map key: hashed field by field, with no
// buffer to build.
type gkey struct {
	kind                                                    Kind
	day                                                     int64
	account, principal, ptype, caller, source, name, region string
	params, session                                         string
}

// shards is how many maps hold a table's groups. Tables merge shard by
// shard, each on its own core (see absorbAll).
const shards = 16

// shardOf returns the shard of a group key. It reads a few bytes rather
// than hashing whole strings, since it runs for every event: it need not
// be uniform, only spread the groups over enough shards to share the
// merge between cores.
func shardOf(k *gkey) int {
	h := uint32(k.day/86400)*0x9e3779b1 ^ uint32(len(k.principal))<<8 ^ uint32(len(k.name))
	if p := k.principal; len(p) > 0 {
		h = h*31 + uint32(p[len(p)-1])
	}
	if n := k.name; len(n) > 2 {
		h = h*31 + uint32(n[2])<<8 + uint32(n[len(n)-1])
	}
	return int(h * 0x85ebca6b >> 28)
}

func groupKey(k *Key) gkey {
	return gkey{k.Kind, k.Day.Unix(), k.Account, k.Principal, k.PrincipalType, k.CallerAccount,
		k.EventSource, k.EventName, k.Region, k.RequestParams, k.Session}
}

type group struct {
	key   Key // Resource is ""; strings owned by the table
	level uint8
	total *cell            // the row without a resource, or nil
	rows  map[string]*cell // by resource; nil until the first
}

func newTable(threshold int) *table {
	if threshold <= 0 {
		threshold = DefaultFoldThreshold
	}
	t := &table{threshold: threshold, strs: make(map[string]string)}
	for i := range t.groups {
		t.groups[i] = make(map[gkey]*group)
	}
	return t
}

// all yields the table's groups, in no particular order.
func (t *table) all(yield func(*group) bool) {
	for _, m := range t.groups {
		for _, g := range m {
			if !yield(g) {
				return
			}
		}
	}
}

// len returns the number of groups.
func (t *table) len() int {
	n := 0
	for _, m := range t.groups {
		n += len(m)
	}
	return n
}

// intern returns a copy of s shared by all rows of the table.
func (t *table) intern(s string) string {
	if v, ok := t.strs[s]; ok {
		return v
	}
	s = strings.Clone(s)
	t.strs[s] = s
	return s
}

// group returns the group of key k (whose Resource is ignored), creating
// it if need be with copies of k's strings.
func (t *table) group(k *Key) *group {
	gk := groupKey(k)
	if t.lastGroup != nil && gk == t.lastKey {
		return t.lastGroup
	}
	m := t.groups[shardOf(&gk)]
	g, ok := m[gk]
	if !ok {
		g = &group{key: *k}
		gk := &g.key
		gk.Resource = ""
		for _, p := range []*string{&gk.Account, &gk.Principal, &gk.PrincipalType, &gk.CallerAccount,
			&gk.EventSource, &gk.EventName, &gk.Region, &gk.RequestParams, &gk.Session} {
			*p = t.intern(*p)
		}
		gk.Kind = Kind(t.intern(string(gk.Kind)))
		m[groupKey(gk)] = g
	}
	t.lastKey = groupKey(&g.key)
	t.lastGroup = g
	return g
}

// foldedRow returns the row of folded group g that the resource res folds
// into, or nil if g has none; scratch holds the folded form for the
// lookup, which allocates nothing.
func (g *group) foldedRow(scratch *[]byte, res string) *cell {
	*scratch = appendFold((*scratch)[:0], res, g.level)
	if f := *scratch; string(f) != res {
		return g.rows[string(f)]
	}
	return nil
}

// insert adds c to group g of the table, taking ownership of c.
func (t *table) insert(g *group, c *cell) {
	if c.resource == "" {
		if g.total == nil {
			g.total = c
			t.n++
		} else {
			g.total.add(c)
		}
		return
	}
	for g.level < c.level {
		t.fold(g)
	}
	if g.level > c.level && c.sketch == nil {
		// A single resource joining a folded row: count it there, as Add
		// does, without a sketch of its own to merge.
		if e := g.foldedRow(&t.scratch, c.resource); e != nil {
			e.addOne(c, g.level)
			return
		}
	}
	if g.level > 0 {
		refold(c, g.level)
	}
	if e, ok := g.rows[c.resource]; ok {
		e.add(c)
		return
	}
	if g.rows == nil {
		g.rows = make(map[string]*cell) // most groups have no resource
	}
	g.rows[c.resource] = c
	t.n++
	for len(g.rows) > t.threshold && g.level < maxFoldLevel {
		t.fold(g)
	}
}

// insertRow adds a row to the table, copying its strings.
func (t *table) insertRow(r *Row) {
	c := cellOf(r)
	c.resource = strings.Clone(c.resource)
	t.insert(t.group(&r.Key), c)
}

// fold raises g one level, re-keying its rows.
func (t *table) fold(g *group) {
	g.level++
	old := g.rows
	g.rows = make(map[string]*cell, len(old)/8)
	t.n -= len(old)
	for _, c := range old {
		f := foldARN(c.resource, g.level)
		e, ok := g.rows[f]
		switch {
		case !ok:
			refold(c, g.level)
			g.rows[c.resource] = c
		case c.sketch == nil && f != c.resource:
			// A single resource joins a folded row: count it there
			// without a sketch of its own.
			if e.sketch == nil { // a prefix from an ARNPrefix, as is: as e.add would
				e.sketch = new(sketch)
				e.level = g.level
			}
			e.sketch.add(c.resource)
			c.resource = f
			e.add(c)
		default:
			refold(c, g.level)
			e.add(c)
		}
	}
	t.n += len(g.rows)
}

// absorb moves every group of o into t, with its key changed by rekey
// (nil keeps it). A group t lacks moves whole; the cells of one it has
// merge into it. o must not be used afterwards.
func (t *table) absorb(o *table, rekey func(k *Key)) {
	for g := range o.all {
		if rekey != nil {
			rekey(&g.key)
		}
		t.absorbGroup(g)
	}
	t.lastGroup = nil
}

// absorbGroup moves g into t.
func (t *table) absorbGroup(g *group) {
	gk := groupKey(&g.key)
	m := t.groups[shardOf(&gk)]
	dst, ok := m[gk]
	if !ok {
		m[gk] = g
		t.n += len(g.rows)
		if g.total != nil {
			t.n++
		}
		return
	}
	for dst.level < g.level {
		t.fold(dst)
	}
	if g.total != nil {
		t.insert(dst, g.total)
	}
	for _, c := range g.rows {
		t.insert(dst, c)
	}
}

// absorbAll is absorb of each of others with their keys unchanged, shard
// by shard on all cores: the one part of ending a run with several
// workers that would otherwise run on one.
func (t *table) absorbAll(others []*table) {
	if len(others) == 0 {
		return
	}
	var (
		next atomic.Int64
		rows atomic.Int64
		wg   sync.WaitGroup
	)
	for range min(runtime.GOMAXPROCS(0), shards) {
		wg.Go(func() {
			// A view of t holding one shard: insert and fold count the
			// rows they add in the view, not in t.
			view := table{threshold: t.threshold}
			for s := int(next.Add(1) - 1); s < shards; s = int(next.Add(1) - 1) {
				view.groups[s] = t.groups[s]
				for _, o := range others {
					for _, g := range o.groups[s] {
						view.absorbGroup(g)
					}
				}
				view.groups[s] = nil
			}
			rows.Add(int64(view.n))
		})
	}
	wg.Wait()
	t.n += int(rows.Load())
	t.lastGroup = nil
}

// refold folds c's resource to level lvl, recording the resource it held
// in the sketch if it held one resource.
func refold(c *cell, lvl uint8) {
	if c.level >= lvl {
		return
	}
	if f := foldARN(c.resource, lvl); f != c.resource {
		if c.sketch == nil {
			c.sketch = new(sketch)
			c.sketch.add(c.resource)
		}
		c.resource = f
	}
	if c.sketch != nil {
		c.level = lvl
	}
}

// resourcePart returns what follows the fifth colon of an ARN:
// "bucket/key" of arn:aws:s3:::bucket/key; "" for a string that is not an
// ARN.
func resourcePart(arn string) string {
	if !strings.HasPrefix(arn, "arn:") {
		return ""
	}
	rest := arn
	for i := 0; i < 5; i++ {
		k := strings.IndexByte(rest, ':')
		if k < 0 {
			return ""
		}
		rest = rest[k+1:]
	}
	return rest
}

// appendFold appends foldARN(arn, lvl) to b, without allocating a
// string: for lookups.
func appendFold(b []byte, arn string, lvl uint8) []byte {
	res := resourcePart(arn)
	first := strings.IndexByte(res, '/')
	if first < 0 {
		return append(b, arn...)
	}
	head := arn[:len(arn)-len(res)]
	cut := first
	if lvl < 2 {
		if strings.HasSuffix(res, "/*") {
			return append(b, arn...)
		}
		cut = strings.LastIndexByte(res, '/')
	}
	b = append(b, head...)
	b = append(b, res[:cut]...)
	return append(b, "/*"...)
}

// foldARN folds an ARN whose resource is a path: at level 1 into its
// parent prefix, at level 2 into the first path segment. Other strings
// come back unchanged.
//
//	arn:aws:s3:::bucket/reports/2026/a.csv  1→ arn:aws:s3:::bucket/reports/2026/*
//	                                        2→ arn:aws:s3:::bucket/*
func foldARN(arn string, lvl uint8) string {
	res := resourcePart(arn)
	first := strings.IndexByte(res, '/')
	if first < 0 {
		return arn
	}
	head := arn[:len(arn)-len(res)]
	var cut int
	if lvl >= 2 {
		cut = first
	} else {
		if strings.HasSuffix(res, "/*") {
			return arn // already a prefix
		}
		cut = strings.LastIndexByte(res, '/')
	}
	return head + res[:cut] + "/*"
}

// sorted returns the table's rows in key order.
func (t *table) sorted() []*Row {
	out := make([]*Row, 0, t.n)
	t.walk(func(g *group, c *cell) { out = append(out, c.row(&g.key)) })
	return out
}

// walk calls fn for each row in key order: groups in order, and in each
// group the total, then the resources in order.
func (t *table) walk(fn func(*group, *cell)) { t.walkGroups(nil, fn) }

// walkGroups is walk over the groups keep reports true for (all if nil).
func (t *table) walkGroups(keep func(*group) bool, fn func(*group, *cell)) {
	groups := make([]*group, 0, t.len())
	for g := range t.all {
		if keep == nil || keep(g) {
			groups = append(groups, g)
		}
	}
	slices.SortFunc(groups, func(a, b *group) int { return lessKey(&a.key, &b.key) })
	var cells []*cell
	for _, g := range groups {
		if g.total != nil {
			fn(g, g.total)
		}
		cells = cells[:0]
		for _, c := range g.rows {
			cells = append(cells, c)
		}
		slices.SortFunc(cells, func(a, b *cell) int { return strings.Compare(a.resource, b.resource) })
		for _, c := range cells {
			fn(g, c)
		}
	}
}
