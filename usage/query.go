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
	kinds := q.Kinds
	if len(kinds) == 0 {
		kinds = []Kind{KindCall}
	}
	var out []*Row
	for _, r := range ix.Rows() {
		if !q.match(r, kinds) {
			continue
		}
		out = append(out, r)
	}
	return out
}

func (q *Query) match(r *Row, kinds []Kind) bool {
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
