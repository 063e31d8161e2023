package usage

import (
	"time"

	"github.com/tailor-sec/tailor"
)

// Query selects rows of an index. The zero Query selects every call row.
type Query struct {
	// Kinds selects row kinds; empty means KindCall only.
	Kinds []Kind
	// Principals are globs on the principal ARN (see tailor.MatchGlob);
	// empty means all.
	Principals []string
	// CallerAccounts selects rows by caller account; empty means all.
	CallerAccounts []string
	// Since and Until bound the days, by the day of each: a row of day D
	// is selected when D+24h > Since and D < Until. Zero is unbounded.
	Since, Until time.Time
}

// Select returns the rows q selects, in key order.
func (ix *Index) Select(q Query) []*Row {
	var out []*Row
	kinds := q.kinds()
	ix.t.walkGroups(func(g *group) bool { return q.match(&g.key, kinds) }, func(g *group, c *cell) {
		out = append(out, c.row(&g.key))
	})
	return out
}

// Scan calls fn with each row q selects, in no particular order, without
// collecting or sorting them: the way to read a large index quickly. fn
// may keep the row.
func (ix *Index) Scan(q Query, fn func(*Row)) {
	kinds := q.kinds()
	for g := range ix.t.all {
		// The rows of a group share all of a key the query looks at:
		// decide once per group.
		if !q.match(&g.key, kinds) {
			continue
		}
		// One allocation for the group's rows.
		rows := make([]Row, 0, len(g.rows)+1)
		emit := func(c *cell) {
			rows = append(rows, Row{})
			c.fill(&rows[len(rows)-1], &g.key)
			fn(&rows[len(rows)-1])
		}
		if g.total != nil {
			emit(g.total)
		}
		for _, c := range g.rows {
			emit(c)
		}
	}
}

func (q *Query) kinds() []Kind {
	if len(q.Kinds) == 0 {
		return []Kind{KindCall}
	}
	return q.Kinds
}

func (q *Query) match(r *Key, kinds []Kind) bool {
	ok := false
	for _, k := range kinds {
		if r.Kind == k {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	if !q.Since.IsZero() && !r.Day.Add(24*time.Hour).After(q.Since) {
		return false
	}
	if !q.Until.IsZero() && !r.Day.Before(q.Until) {
		return false
	}
	if len(q.CallerAccounts) > 0 {
		found := false
		for _, c := range q.CallerAccounts {
			if c == r.CallerAccount {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return tailor.MatchAnyGlob(q.Principals, r.Principal)
}
