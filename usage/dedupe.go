package usage

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/ingest"
)

// What an index keeps to count each event once
//
// A run drops the copies of the events it counts (ingest does). Two kinds
// of rows carry that knowledge beyond the run, keyed by tailor.EventKey:
//
//   - edge rows name events the index counted that a later input may hold
//     a copy of: those delivered within ingest.MaxDeliveryLag of the newest
//     object of their account and region, or of the end of a shard's block.
//     A run appending to the index drops their copies, and a merge drops
//     the held copies of another input.
//   - held-call, held-coverage and held-pending rows are the rows an event
//     of a shard would have added had it been counted: a copy of it may be
//     counted by another shard. A merge counts each held event once,
//     unless an edge row of another input says it was counted.

// Counted is an event an index counted, by its key: an edge row.
type Counted struct {
	Key             tailor.EventKey
	Account, Region string
	Time            time.Time // the event's time, or a time in its hour
}

// edge is a Counted as an index holds it.
type edge struct {
	account, region string
	ms              int64
}

// A heldEvent is an event a shard did not count, with the rows it would
// have added (kinds call, coverage or pending).
type heldEvent struct {
	key  tailor.EventKey
	rows []heldRow
}

type heldRow struct {
	key  Key
	cell cell
}

// heldPrefix marks the kind of a held row in Parquet.
const heldPrefix = "held-"

// KindEdge is the kind of edge rows in Parquet.
const KindEdge Kind = "edge"

// AddKeyed counts an event as a run's sink (ingest.KeyedSink): as Add
// does, keeping its key too if m is ingest.Edge, and kept apart with Hold
// if m is ingest.Held.
func (b *Builder) AddKeyed(ev *tailor.Event, selected bool, key tailor.EventKey, m ingest.Mark) {
	switch m {
	case ingest.Held:
		b.Hold(ev, selected, key)
	case ingest.Edge:
		b.Add(ev, selected)
		b.AddEdge(ev, key)
	default:
		b.Add(ev, selected)
	}
}

var _ ingest.KeyedSink = (*Builder)(nil)

// AddEdge records that the event ev, with key, was counted and that a
// later input may hold a copy of it. Call it after Add.
func (b *Builder) AddEdge(ev *tailor.Event, key tailor.EventKey) {
	b.edges = append(b.edges, Counted{Key: key, Account: strings.Clone(ev.Account), Region: strings.Clone(ev.Region), Time: ev.Time})
}

// Hold keeps ev, with key, apart instead of counting it: an event of a
// shard that another shard may count too. The merge of the shards counts
// it once. It records the session the event created, as Add does.
func (b *Builder) Hold(ev *tailor.Event, selected bool, key tailor.EventKey) {
	if ev.Assumption != nil {
		if akid, cross := b.sessions.record(ev.Assumption, ev.Time, ev.Region); cross {
			b.recorded = append(b.recorded, akid)
		}
	}
	d := dayOf(ev.Time)
	ms := ev.Time.UnixMilli()
	h := heldEvent{key: key}
	cov := Key{Kind: KindCoverage, Day: d, Account: ev.Account, Region: ev.Region}
	if ev.Data {
		cov.EventSource = ev.EventSource
	}
	h.add(cov, "", ev, ms)
	if selected {
		k, _ := b.callKey(ev, d)
		h.add(k, "", ev, ms)
		for i, res := range ev.Resources {
			if res != "" && !slices.Contains(ev.Resources[:i], res) {
				h.add(k, res, ev, ms)
			}
		}
	}
	b.held = append(b.held, h)
}

// add appends the row of key k and resource res that ev counts in, with
// its own copies of the strings.
func (h *heldEvent) add(k Key, res string, ev *tailor.Event, ms int64) {
	for _, p := range []*string{&k.Account, &k.Principal, &k.PrincipalType, &k.CallerAccount,
		&k.EventSource, &k.EventName, &k.Region, &k.RequestParams, &k.Session} {
		*p = strings.Clone(*p)
	}
	r := heldRow{key: k, cell: cell{resource: strings.Clone(res), first: ms, last: ms}}
	r.cell.count(ev, ms)
	h.rows = append(h.rows, r)
}

// countAll adds the edges and held events of src to ix. Held events
// whose key is an edge, or that ix holds already, are dropped. Unless
// partial, the rest are counted, as the pending rows are attributed,
// with callers, and become edges.
func (ix *Index) countAll(edges []Counted, held []heldEvent, partial bool, callers func(akid string) (string, bool)) {
	for _, c := range edges {
		ix.addEdge(c.Key, edge{c.Account, c.Region, c.Time.UnixMilli()})
	}
	for _, h := range held {
		ix.hold(h, partial, callers)
	}
}

func (ix *Index) addEdge(k tailor.EventKey, e edge) {
	if ix.edges == nil {
		ix.edges = make(map[tailor.EventKey]edge)
	}
	if old, ok := ix.edges[k]; !ok || e.ms < old.ms {
		e.account, e.region = ix.t.intern(e.account), ix.t.intern(e.region)
		ix.edges[k] = e
	}
}

// hold adds held event h to ix: dropped if ix counted or holds it, kept
// apart if partial, else counted.
func (ix *Index) hold(h heldEvent, partial bool, callers func(akid string) (string, bool)) {
	if _, ok := ix.edges[h.key]; ok {
		return
	}
	if ix.held == nil {
		ix.held = make(map[tailor.EventKey]*heldEvent)
	}
	if _, ok := ix.held[h.key]; ok {
		return
	}
	if partial {
		c := h
		c.rows = slices.Clone(h.rows)
		ix.held[h.key] = &c
		return
	}
	var e edge
	for _, r := range h.rows {
		k := r.key
		if k.Kind == KindPending {
			if c, ok := callers(k.Session); ok {
				k.Kind, k.Session, k.CallerAccount = KindCall, "", c
			} else {
				k.Kind, k.Session = KindCall, ""
			}
		}
		if k.Kind == KindCoverage {
			e = edge{k.Account, k.Region, r.cell.first}
		}
		c := r.cell.clone()
		ix.t.insert(ix.t.group(&k), c)
	}
	ix.addEdge(h.key, e)
}

// Seen returns the events the index counted that a later input may hold
// copies of (its edge rows), and those it holds for a merge: a run
// appending to the index, or resumed from it as a checkpoint, drops
// their copies.
func (ix *Index) Seen() []Counted {
	out := make([]Counted, 0, len(ix.edges)+len(ix.held))
	for k, e := range ix.edges {
		out = append(out, Counted{Key: k, Account: e.account, Region: e.region, Time: time.UnixMilli(e.ms).UTC()})
	}
	for k, h := range ix.held {
		for _, r := range h.rows {
			if r.key.Kind == KindCoverage {
				out = append(out, Counted{Key: k, Account: r.key.Account, Region: r.key.Region, Time: time.UnixMilli(r.cell.first).UTC()})
				break
			}
		}
	}
	return out
}

// AddCounted records events the index counted whose copies a later input
// may hold: what a checkpoint keeps of the events its run remembers.
func (ix *Index) AddCounted(cs ...Counted) {
	for _, c := range cs {
		ix.addEdge(c.Key, edge{c.Account, c.Region, c.Time.UnixMilli()})
	}
}

// Edges returns the number of edge rows and of held events.
func (ix *Index) Edges() (edges, held int) { return len(ix.edges), len(ix.held) }

// PruneEdges drops the edge rows no later object can hold a copy for:
// those of events more than lag before the newest object of their account
// and region the index read (its source rows). Edges of an account and
// region without source rows stay. Call it on a complete index only: a
// shard's edges at the ends of its blocks are for the merge.
func (ix *Index) PruneEdges(lag time.Duration) {
	type place struct{ account, region string }
	newest := make(map[place]int64)
	for g := range ix.t.all {
		if g.key.Kind != KindSource || g.key.Account == "" {
			continue
		}
		p := place{g.key.Account, g.key.Region}
		for _, c := range g.rows {
			if c.first > newest[p] {
				newest[p] = c.first
			}
		}
	}
	for k, e := range ix.edges {
		if n, ok := newest[place{e.account, e.region}]; ok && e.ms < n-lag.Milliseconds()-3600_000 {
			delete(ix.edges, k)
		}
	}
}

// sortedEdges returns the edges in the order they are written.
func (ix *Index) sortedEdges() []tailor.EventKey {
	keys := make([]tailor.EventKey, 0, len(ix.edges))
	for k := range ix.edges {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b tailor.EventKey) int {
		ea, eb := ix.edges[a], ix.edges[b]
		if c := cmp.Compare(ea.ms, eb.ms); c != 0 {
			return c
		}
		return bytes.Compare(a[:], b[:])
	})
	return keys
}

// sortedHeld returns the held events in the order they are written.
func (ix *Index) sortedHeld() []*heldEvent {
	out := make([]*heldEvent, 0, len(ix.held))
	for _, h := range ix.held {
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b *heldEvent) int { return bytes.Compare(a.key[:], b.key[:]) })
	return out
}

// ErrOverlap marks indexes built from the same log objects over
// overlapping windows: their merge would count those records twice.
var ErrOverlap = errors.New("usage: indexes overlap")

// An OverlapError names two indexes built from the same log objects.
type OverlapError struct {
	A, B    string // the indexes, as named to CheckDisjoint
	Object  string // one object both were built from
	Objects int    // how many
}

func (e *OverlapError) Error() string {
	more := ""
	if e.Objects > 1 {
		more = fmt.Sprintf(" and %d more objects", e.Objects-1)
	}
	return fmt.Sprintf("%s and %s were both built from %s%s over overlapping windows: merging them would count those records twice (merge the indexes of disjoint inputs)", e.A, e.B, e.Object, more)
}

func (e *OverlapError) Unwrap() error { return ErrOverlap }

// CheckDisjoint returns an *OverlapError if two of the indexes, named by
// names, were built from the same log object (their source rows) over
// windows that overlap: whatever both counted of that object would count
// twice in their merge, and the index cannot tell which calls those were.
// Indexes of the same objects over disjoint windows (the runs of --append
// over a moving window) are disjoint.
func CheckDisjoint(names []string, idx ...*Index) error {
	owner := make(map[string]int) // object → the first index built from it
	for i, ix := range idx {
		var err *OverlapError
		for g := range ix.t.all {
			if g.key.Kind != KindSource {
				continue
			}
			for name := range g.rows {
				j, ok := owner[name]
				if !ok {
					owner[name] = i
					continue
				}
				if j == i || !windowsOverlap(idx[j].Meta, ix.Meta) {
					continue
				}
				if err == nil {
					err = &OverlapError{A: names[j], B: names[i], Object: name}
				} else if name < err.Object && names[j] == err.A {
					err.Object = name
				}
				if names[j] == err.A {
					err.Objects++
				}
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// windowsOverlap reports whether the windows of two indexes meet.
func windowsOverlap(a, b Meta) bool {
	before := func(u, s time.Time) bool { return !u.IsZero() && !s.IsZero() && !u.After(s) }
	return !before(a.Until, b.Since) && !before(b.Until, a.Since)
}
