package usage

import (
	"strings"
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
	groups    map[string]*group
	threshold int
	n         int // rows
	buf       []byte
	strs      map[string]string

	// the group of the last lookup, by key: consecutive events mostly
	// share one.
	lastKey   []byte
	lastGroup *group
}

type group struct {
	level uint8
	total *Row            // the row without a resource, or nil
	rows  map[string]*Row // by resource
}

func newTable(threshold int) *table {
	if threshold <= 0 {
		threshold = DefaultFoldThreshold
	}
	return &table{
		groups:    make(map[string]*group),
		threshold: threshold,
		strs:      make(map[string]string),
	}
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

func (t *table) internKey(k *Key) {
	k.Account = t.intern(k.Account)
	k.Principal = t.intern(k.Principal)
	k.CallerAccount = t.intern(k.CallerAccount)
	k.EventSource = t.intern(k.EventSource)
	k.EventName = t.intern(k.EventName)
	k.Region = t.intern(k.Region)
	k.RequestParams = t.intern(k.RequestParams)
	k.Session = t.intern(k.Session)
	k.Resource = strings.Clone(k.Resource) // mostly distinct: not worth interning
}

// groupOf returns the group of key k (whose Resource is ignored),
// creating it if need be.
func (t *table) groupOf(k *Key) *group {
	t.buf = appendGroupKey(t.buf[:0], k)
	if t.lastGroup != nil && string(t.buf) == string(t.lastKey) {
		return t.lastGroup
	}
	g, ok := t.groups[string(t.buf)]
	if !ok {
		g = &group{rows: make(map[string]*Row)}
		t.groups[string(t.buf)] = g
	}
	t.lastKey = append(t.lastKey[:0], t.buf...)
	t.lastGroup = g
	return g
}

// insert adds r to the table, taking ownership of it. r's strings must
// not alias memory that changes later (internKey copies them).
func (t *table) insert(r *Row) {
	g := t.groupOf(&r.Key)
	if r.Resource == "" {
		if g.total == nil {
			g.total = r
			t.n++
		} else {
			g.total.add(r)
		}
		return
	}
	for g.level < r.level {
		t.fold(g)
	}
	if g.level > 0 {
		r = refold(r, g.level)
	}
	if e, ok := g.rows[r.Resource]; ok {
		e.add(r)
		return
	}
	g.rows[r.Resource] = r
	t.n++
	for len(g.rows) > t.threshold && g.level < maxFoldLevel {
		t.fold(g)
	}
}

// fold raises g one level, re-keying its rows.
func (t *table) fold(g *group) {
	g.level++
	old := g.rows
	g.rows = make(map[string]*Row)
	t.n -= len(old)
	for _, r := range old {
		r = refold(r, g.level)
		if e, ok := g.rows[r.Resource]; ok {
			e.add(r)
		} else {
			g.rows[r.Resource] = r
		}
	}
	t.n += len(g.rows)
}

// each calls fn for every row, in no particular order.
func (t *table) each(fn func(*Row)) {
	for _, g := range t.groups {
		if g.total != nil {
			fn(g.total)
		}
		for _, r := range g.rows {
			fn(r)
		}
	}
}

// refold returns r with its resource folded to level lvl, recording the
// resource it held in the sketch if it held one resource.
func refold(r *Row, lvl uint8) *Row {
	if r.level >= lvl {
		return r
	}
	if f := foldARN(r.Resource, lvl); f != r.Resource {
		if r.sketch == nil {
			r.sketch = new(sketch)
			r.sketch.add(r.Resource)
		}
		r.Resource = f
	}
	if r.sketch != nil {
		r.level = lvl
	}
	return r
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

// sorted returns the table's rows in key order, with Folded filled in.
func (t *table) sorted() []*Row {
	out := make([]*Row, 0, t.n)
	t.each(func(r *Row) {
		if r.sketch != nil {
			r.Folded = r.sketch.estimate()
		}
		out = append(out, r)
	})
	sortRows(out)
	return out
}
