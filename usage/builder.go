package usage

import (
	"strings"
	"sync"
	"time"

	"github.com/tailor-sec/tailor"
)

// Sessions maps the temporary access keys that sts:AssumeRole calls
// returned to the account that made the call. It joins the calls made with
// a key to the AssumeRole call that issued it, whatever order the logs
// come in. One Sessions serves all the builders of a run; it is safe for
// concurrent use.
type Sessions struct {
	m sync.Map // access key id → *session
}

type session struct {
	caller  string // the account that assumed the role; "" for the role's own account
	role    string
	account string // the role's account
	time    time.Time
	region  string
}

// NewSessions returns an empty session table.
func NewSessions() *Sessions { return new(Sessions) }

// record notes the session an AssumeRole call created, and returns its
// access key id and whether it was assumed from another account.
func (s *Sessions) record(a *tailor.Assumption, t time.Time, region string) (string, bool) {
	if a.AccessKeyID == "" {
		return "", false
	}
	acct := tailor.ARNAccount(a.RoleARN)
	caller := a.CallerAccount
	if caller == acct {
		caller = "" // a session of the role's own account
	}
	akid := strings.Clone(a.AccessKeyID)
	s.m.LoadOrStore(akid, &session{
		caller:  strings.Clone(caller),
		role:    strings.Clone(a.RoleARN),
		account: strings.Clone(acct),
		time:    t,
		region:  strings.Clone(region),
	})
	return akid, caller != ""
}

// caller returns the account that assumed the session of access key
// akid, "" for a session of the role's own account, and whether the
// session is known.
func (s *Sessions) caller(akid string) (string, bool) {
	v, ok := s.m.Load(akid)
	if !ok {
		return "", false
	}
	return v.(*session).caller, true
}

// BuilderOptions configure a Builder. The zero value is ready to use.
type BuilderOptions struct {
	// FoldThreshold is the number of distinct resources a group of rows
	// holds before they fold into prefixes. Zero means DefaultFoldThreshold.
	FoldThreshold int
	// Sessions is shared by the builders of one run. Nil gives the builder
	// a table of its own.
	Sessions *Sessions
}

// A Builder aggregates events into index rows. A run gives each worker a
// builder and merges them with Finish. A Builder is not safe for
// concurrent use; its memory grows with the number of distinct keys, not
// with the number of events.
type Builder struct {
	t        *table // call rows
	pend     *table // rows of sessions not yet attributed
	cov      map[covKey]*covEntry
	sessions *Sessions

	lastCov    *cell
	lastCovKey covKey
	// recorded lists the sessions from another account this builder saw:
	// the index it becomes keeps their session rows.
	recorded   []string
	resolvedAt int // size of pend after the last attempt to resolve it
	res        []string
	params     strings.Builder
	fold       []byte // a folded resource, for lookups

	edges []Counted   // events counted whose copies a later input may hold
	held  []heldEvent // events kept apart for a merge to count once
}

type covKey struct {
	day                     int64
	account, region, source string
}

type covEntry struct {
	key  covKey
	cell *cell
}

// NewBuilder returns an empty builder.
func NewBuilder(opts BuilderOptions) *Builder {
	s := opts.Sessions
	if s == nil {
		s = NewSessions()
	}
	return &Builder{
		t:        newTable(opts.FoldThreshold),
		pend:     newTable(opts.FoldThreshold),
		cov:      make(map[covKey]*covEntry),
		sessions: s,
	}
}

// Add aggregates one event. Every event counts toward coverage and
// records the session it created, if any; only a selected event (one that
// matches the run's principal filter) adds to the call rows. Add does not
// keep ev or its strings.
func (b *Builder) Add(ev *tailor.Event, selected bool) {
	d := dayOf(ev.Time)
	b.cover(ev, d)
	if ev.Assumption != nil {
		if akid, cross := b.sessions.record(ev.Assumption, ev.Time, ev.Region); cross {
			b.recorded = append(b.recorded, akid)
		}
	}
	if !selected {
		return
	}
	k, t := b.callKey(ev, d)
	// The row without a resource totals the calls of the group; each
	// resource a call touched has a row counting the calls that did.
	ms := ev.Time.UnixMilli()
	g := t.group(&k)
	if g.total == nil {
		t.insert(g, &cell{first: ms, last: ms})
	}
	g.total.count(ev, ms)
	for _, res := range ev.Resources {
		if res == "" {
			continue
		}
		c, ok := g.rows[res]
		if !ok && g.level > 0 {
			// In a folded group the raw resource has no row of its own:
			// count on the folded row without building one.
			if c = g.foldedRow(&b.fold, res); c != nil {
				ok = true
				if c.sketch != nil {
					c.sketch.add(res)
				}
			}
		}
		if !ok {
			t.insert(g, &cell{resource: strings.Clone(res), first: ms, last: ms})
			// The new row may have been folded into another: count on
			// the row that holds the resource now.
			if g.level > 0 {
				res = foldARN(res, g.level)
			}
			c = g.rows[res]
		}
		c.count(ev, ms)
	}
	if t == b.pend && t.n > 2*b.resolvedAt+10000 {
		b.resolve()
	}
}

// callKey returns the key of ev's call rows, and the table they go in:
// the call rows, or the pending rows when the event belongs to a role
// session not yet attributed.
func (b *Builder) callKey(ev *tailor.Event, d time.Time) (Key, *table) {
	k := Key{
		Kind:          KindCall,
		Day:           d,
		Account:       ev.Account,
		Principal:     ev.Principal,
		PrincipalType: string(ev.PrincipalType),
		CallerAccount: ev.CallerAccount,
		EventSource:   ev.EventSource,
		EventName:     ev.EventName,
		Region:        ev.Region,
	}
	if len(ev.RequestParams) > 0 {
		b.params.Reset()
		for i, p := range ev.RequestParams {
			if i > 0 {
				b.params.WriteByte(',')
			}
			b.params.WriteString(p)
		}
		k.RequestParams = b.params.String()
	}
	t := b.t
	if ev.PrincipalType == tailor.IdentityAssumedRole && ev.CallerAccount == "" && ev.AccessKeyID != "" {
		if c, ok := b.sessions.caller(ev.AccessKeyID); ok {
			k.CallerAccount = c
		} else {
			k.Kind, k.Session, t = KindPending, ev.AccessKeyID, b.pend
		}
	}
	return k, t
}

// count adds one call at ms (Unix milliseconds) to c.
func (c *cell) count(ev *tailor.Event, ms int64) {
	c.calls++
	switch {
	case ev.ErrorCode == "":
	case ev.Denied():
		c.denied++
	default:
		c.errors++
	}
	if ms < c.first {
		c.first = ms
	}
	if ms > c.last {
		c.last = ms
	}
	if ev.Data {
		c.data = true
	}
}

func (b *Builder) cover(ev *tailor.Event, d time.Time) {
	k := covKey{day: d.Unix(), account: ev.Account, region: ev.Region}
	if ev.Data {
		k.source = ev.EventSource
	}
	ms := ev.Time.UnixMilli()
	c := b.lastCov
	if c == nil || k != b.lastCovKey {
		e, ok := b.cov[k]
		if !ok {
			k.account, k.region, k.source = strings.Clone(k.account), strings.Clone(k.region), strings.Clone(k.source)
			e = &covEntry{key: k, cell: &cell{first: ms, last: ms}}
			b.cov[k] = e
		}
		// Keep the map's key, whose strings are the builder's: k's alias
		// the decoder's buffer, which the next record overwrites.
		c, b.lastCov, b.lastCovKey = e.cell, e.cell, e.key
	}
	c.count(ev, ms)
}

// resolve moves the pending rows whose session has become known into the
// call rows.
func (b *Builder) resolve() {
	old := b.pend
	b.pend = newTable(old.threshold)
	for g := range old.all {
		if caller, ok := b.sessions.caller(g.key.Session); ok {
			k := g.key
			k.Kind, k.Session, k.CallerAccount = KindCall, "", caller
			dst := b.t.group(&k)
			if g.total != nil {
				b.t.insert(dst, g.total)
			}
			for _, c := range g.rows {
				b.t.insert(dst, c)
			}
			continue
		}
		b.pend.absorbGroup(g)
	}
	b.pend.strs = old.strs
	b.resolvedAt = b.pend.n
}

// dayOf returns the UTC day of t.
func dayOf(t time.Time) time.Time {
	return time.Unix(t.Unix()-(t.Unix()%86400+86400)%86400, 0).UTC()
}

// Finish merges the builders of one run into an index. Rows of role
// sessions are attributed to the account that assumed the role, using
// the sessions all builders saw. A partial index (a shard of a run) keeps
// the rows it could not attribute, to be attributed when shards merge;
// a complete one counts them as the role's own. The builders must not be
// used afterwards.
func Finish(meta Meta, builders ...*Builder) *Index {
	if len(builders) == 0 {
		return &Index{t: newTable(meta.FoldThreshold), Meta: meta}
	}
	base := builders[0].t
	meta.FoldThreshold = base.threshold
	sessions := builders[0].sessions
	for _, b := range builders[1:] {
		if b.sessions != sessions {
			b.sessions.m.Range(func(k, v any) bool {
				sessions.m.LoadOrStore(k, v)
				return true
			})
			b.sessions = sessions
		}
	}
	var others []*table
	for _, b := range builders[1:] {
		others = append(others, b.t)
		b.t = nil
	}
	base.absorbAll(others)
	for _, b := range builders {
		base.absorb(b.pend, func(k *Key) {
			c, ok := sessions.caller(k.Session)
			switch {
			case ok:
				k.Kind, k.Session, k.CallerAccount = KindCall, "", c
			case !meta.Partial:
				k.Kind, k.Session = KindCall, ""
			}
		})
		b.pend = nil
		for k, e := range b.cov {
			base.insert(base.group(&Key{Kind: KindCoverage, Day: time.Unix(k.day, 0).UTC(), Account: k.account,
				Region: k.region, EventSource: k.source}), e.cell)
		}
		b.cov = nil
	}
	// Session rows for the sessions these builders saw: a run that hands
	// over builders at checkpoints writes each session once.
	for _, b := range builders {
		for _, akid := range b.recorded {
			v, ok := sessions.m.Load(akid)
			if !ok {
				continue
			}
			s := v.(*session)
			ms := s.time.UnixMilli()
			base.insert(base.group(&Key{
				Kind:          KindSession,
				Day:           dayOf(s.time),
				Account:       s.account,
				Principal:     s.role,
				CallerAccount: s.caller,
				EventSource:   "sts.amazonaws.com",
				EventName:     "AssumeRole",
				Region:        s.region,
				Session:       akid,
			}), &cell{calls: 1, first: ms, last: ms})
		}
		b.recorded = nil
	}
	ix := &Index{t: base, Meta: meta}
	for _, b := range builders {
		ix.countAll(b.edges, nil, meta.Partial, nil)
		b.edges = nil
	}
	for _, b := range builders {
		ix.countAll(nil, b.held, meta.Partial, sessions.caller)
		b.held = nil
	}
	return ix
}

// A Source describes a log object an index was built from.
type Source struct {
	Name    string    // as messages name it: a path, s3://bucket/key
	ETag    string    // where the source has one
	Day     time.Time // the delivery day its key shows, or zero
	Time    time.Time // the delivery time its key shows, or zero
	Account string    // as its key shows, or ""
	Region  string
	Records int64 // records it held
	Outside int64 // records the run's time window left out
	Failed  bool  // it could not be read whole
	// IdenticalTo names the object read instead of this one, which holds
	// the same; "" if none.
	IdenticalTo string
}

// AddSource records a log object read, as a KindSource row.
func (b *Builder) AddSource(src Source) {
	k := Key{Kind: KindSource, Session: src.ETag, Account: src.Account, Region: src.Region, Day: src.Day, Principal: src.IdenticalTo}
	at := src.Time
	if at.IsZero() {
		at = src.Day
	}
	if k.Day.IsZero() {
		k.Day = time.Unix(0, 0).UTC()
	}
	c := &cell{resource: strings.Clone(src.Name), calls: src.Records, denied: src.Outside, first: at.UnixMilli(), last: at.UnixMilli()}
	if src.Failed {
		c.errors = 1
	}
	b.t.insert(b.t.group(&k), c)
}
