package usage

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tailor-sec/tailor"
)

// SchemaVersion is the version of the index's Parquet schema, stored in
// the file's metadata. Readers accept files of this version and older ones
// they know how to read.
//
// Version 2 added edge and held rows and the event_key column.
const SchemaVersion = 2

// Meta describes an index: how it was built and what it covers.
type Meta struct {
	SchemaVersion int       `json:"schema_version"`
	Tool          string    `json:"tool,omitempty"` // "tailor v1.2.3"
	Created       time.Time `json:"created"`
	FoldThreshold int       `json:"fold_threshold"`
	// Partial marks a shard of a run: it keeps rows it could not attribute
	// to a caller account (KindPending), for the merge to attribute.
	Partial bool `json:"partial,omitempty"`
	// The filter of the run that built the index.
	Since      time.Time `json:"since,omitzero"`
	Until      time.Time `json:"until,omitzero"`
	Accounts   []string  `json:"accounts,omitempty"`
	Regions    []string  `json:"regions,omitempty"`
	Principals []string  `json:"principals,omitempty"`
}

// Index is the usage index: rows of calls per day, account, principal,
// caller account, event, resource and region, plus coverage and session
// rows. An Index is not safe for concurrent modification.
type Index struct {
	t     *table
	edges map[tailor.EventKey]edge
	held  map[tailor.EventKey]*heldEvent
	Meta  Meta
}

// ErrIncompatible marks indexes that cannot be merged.
var ErrIncompatible = errors.New("usage: incompatible indexes")

// Len returns the number of rows.
func (ix *Index) Len() int { return ix.t.n }

// Rows returns all rows in key order. The rows belong to the index.
func (ix *Index) Rows() []*Row { return ix.t.sorted() }

func sortRows(rows []*Row) { slices.SortFunc(rows, less) }

// Merge returns the index of the union of the inputs of idx. Rows of
// role sessions left unattributed by a shard are attributed with the
// session rows of all inputs; unless partial is set, the rest count as the
// role's own. An event a shard held counts once: not at all if another
// input counted it (its edge rows), else once however many inputs hold it
// (or it stays held, if partial is set). The merge of the indexes of
// disjoint inputs equals the index of the union of those inputs; Merge
// does not check that they are disjoint (see CheckDisjoint). An object
// read again by a later run (--append over a window boundary) keeps the
// source row of the last input that has it.
func Merge(partial bool, idx ...*Index) (*Index, error) {
	meta := Meta{SchemaVersion: SchemaVersion, Partial: partial}
	for i, ix := range idx {
		if i == 0 {
			meta.FoldThreshold = ix.Meta.FoldThreshold
			meta.Since, meta.Until = ix.Meta.Since, ix.Meta.Until
			meta.Accounts, meta.Regions, meta.Principals = ix.Meta.Accounts, ix.Meta.Regions, ix.Meta.Principals
			continue
		}
		if ix.Meta.FoldThreshold != meta.FoldThreshold {
			return nil, fmt.Errorf("%w: fold thresholds %d and %d differ", ErrIncompatible, meta.FoldThreshold, ix.Meta.FoldThreshold)
		}
		meta.Since = minTime(meta.Since, ix.Meta.Since)
		meta.Until = maxTime(meta.Until, ix.Meta.Until)
		if !slices.Equal(meta.Principals, ix.Meta.Principals) {
			meta.Principals = nil // the union no longer has one filter
		}
		if !slices.Equal(meta.Accounts, ix.Meta.Accounts) {
			meta.Accounts = nil
		}
		if !slices.Equal(meta.Regions, ix.Meta.Regions) {
			meta.Regions = nil
		}
	}
	callers := make(map[string]string)
	for _, ix := range idx {
		for g := range ix.t.all {
			if g.key.Kind == KindSession {
				callers[g.key.Session] = g.key.CallerAccount
			}
		}
	}
	out := newTable(meta.FoldThreshold)
	merged := &Index{t: out, Meta: meta}
	for _, ix := range idx {
		for k, e := range ix.edges {
			merged.addEdge(k, e)
		}
	}
	caller := func(akid string) (string, bool) { c, ok := callers[akid]; return c, ok }
	for _, ix := range idx {
		for _, h := range ix.sortedHeld() {
			merged.hold(*h, partial, caller)
		}
	}
	lastSource := make(map[string]int) // object → the last input with its source row
	for i, ix := range idx {
		for g := range ix.t.all {
			if g.key.Kind == KindSource {
				for name := range g.rows {
					lastSource[name] = i
				}
			}
		}
	}
	for i, ix := range idx {
		for g := range ix.t.all {
			k := g.key
			if k.Kind == KindSource {
				dst := out.group(&k)
				for name, c := range g.rows {
					if lastSource[name] == i {
						out.insert(dst, c.clone())
					}
				}
				continue
			}
			if k.Kind == KindPending {
				if caller, ok := callers[k.Session]; ok {
					k.Kind, k.Session, k.CallerAccount = KindCall, "", caller
				} else if !partial {
					k.Kind, k.Session = KindCall, ""
				}
			}
			dst := out.group(&k)
			if g.total != nil {
				out.insert(dst, g.total.clone())
			}
			for _, c := range g.rows {
				out.insert(dst, c.clone())
			}
		}
	}
	return merged, nil
}

// minTime returns the earlier of a and b; a zero time is unbounded.
func minTime(a, b time.Time) time.Time {
	if a.IsZero() || b.IsZero() {
		return time.Time{}
	}
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if a.IsZero() || b.IsZero() {
		return time.Time{}
	}
	if b.After(a) {
		return b
	}
	return a
}

// Sources returns the names of the log objects the index was built from,
// from its KindSource rows, in order. With whole set, only those no time
// window left records out of.
func (ix *Index) Sources(whole bool) []string {
	var out []string
	for g := range ix.t.all {
		if g.key.Kind != KindSource {
			continue
		}
		for name, c := range g.rows {
			if !whole || c.denied == 0 {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// SourceETags returns the ETags of the log objects the index was built
// from, by name, for those whose source had one.
func (ix *Index) SourceETags() map[string]string {
	out := make(map[string]string)
	for g := range ix.t.all {
		if g.key.Kind != KindSource || g.key.Session == "" {
			continue
		}
		for name := range g.rows {
			out[name] = g.key.Session
		}
	}
	return out
}
