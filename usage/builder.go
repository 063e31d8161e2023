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

// record notes the session an AssumeRole call created.
func (s *Sessions) record(a *tailor.Assumption, t time.Time, region string) {
	if a.AccessKeyID == "" {
		return
	}
	acct := arnAccount(a.RoleARN)
	caller := a.CallerAccount
	if caller == acct {
		caller = "" // a session of the role's own account
	}
	s.m.LoadOrStore(strings.Clone(a.AccessKeyID), &session{
		caller:  strings.Clone(caller),
		role:    strings.Clone(a.RoleARN),
		account: acct,
		time:    t,
		region:  strings.Clone(region),
	})
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

// arnAccount returns the account field of an ARN.
func arnAccount(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) < 6 {
		return ""
	}
	return f[4]
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
	cov      map[covKey]*Row
	sessions *Sessions

	lastCov    *Row
	lastCovKey covKey
	resolvedAt int // size of pend after the last attempt to resolve it
	res        []string
	params     strings.Builder
}

type covKey struct {
	day                     int64
	account, region, source string
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
		cov:      make(map[covKey]*Row),
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
		b.sessions.record(ev.Assumption, ev.Time, ev.Region)
	}
	if !selected {
		return
	}
	k := Key{
		Kind:          KindCall,
		Day:           d,
		Account:       ev.Account,
		Principal:     ev.Principal,
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
	// The row without a resource totals the calls of the group; each
	// resource a call touched has a row counting the calls that did.
	g := t.groupOf(&k)
	if g.total == nil {
		t.insert(b.newRow(t, &k, ev))
	}
	count(g.total, ev)
	for _, res := range ev.Resources {
		if res == "" {
			continue
		}
		r, ok := g.rows[res]
		if !ok && g.level > 0 {
			// In a folded group the raw resource has no row of its own:
			// count on the folded row without building one.
			if f := foldARN(res, g.level); f != res {
				if r, ok = g.rows[f]; ok && r.sketch != nil {
					r.sketch.add(res)
				}
			}
		}
		if !ok {
			k.Resource = res
			t.insert(b.newRow(t, &k, ev))
			k.Resource = ""
			// The new row may have been folded into another: count on
			// the row that holds the resource now.
			if g.level > 0 {
				res = foldARN(res, g.level)
			}
			r = g.rows[res]
		}
		count(r, ev)
	}
	if t == b.pend && t.n > 2*b.resolvedAt+10000 {
		b.resolve()
	}
}

// newRow returns an empty row of key k for table t, owning its strings.
func (b *Builder) newRow(t *table, k *Key, ev *tailor.Event) *Row {
	r := &Row{Key: *k, FirstSeen: ev.Time}
	t.internKey(&r.Key)
	r.PrincipalType = t.intern(string(ev.PrincipalType))
	return r
}

// count adds one call to r.
func count(r *Row, ev *tailor.Event) {
	r.Calls++
	switch {
	case ev.ErrorCode == "":
	case ev.Denied():
		r.Denied++
	default:
		r.Errors++
	}
	if ev.Time.Before(r.FirstSeen) {
		r.FirstSeen = ev.Time
	}
	if ev.Time.After(r.LastSeen) {
		r.LastSeen = ev.Time
	}
	if ev.Data {
		r.Data = true
	}
}

func (b *Builder) cover(ev *tailor.Event, d time.Time) {
	k := covKey{day: d.Unix(), account: ev.Account, region: ev.Region}
	if ev.Data {
		k.source = ev.EventSource
	}
	r := b.lastCov
	if r == nil || k != b.lastCovKey {
		var ok bool
		if r, ok = b.cov[k]; !ok {
			k.account, k.region, k.source = strings.Clone(k.account), strings.Clone(k.region), strings.Clone(k.source)
			r = &Row{Key: Key{Kind: KindCoverage, Day: d, Account: k.account, Region: k.region, EventSource: k.source}, FirstSeen: ev.Time, Data: ev.Data}
			b.cov[k] = r
		}
		b.lastCov, b.lastCovKey = r, k
	}
	count(r, ev)
}

// resolve moves the pending rows whose session has become known into the
// call rows.
func (b *Builder) resolve() {
	old := b.pend
	b.pend = newTable(old.threshold)
	old.each(func(r *Row) {
		if c, ok := b.sessions.caller(r.Session); ok {
			r.Kind, r.Session, r.CallerAccount = KindCall, "", c
			b.t.insert(r)
		} else {
			b.pend.insert(r)
		}
	})
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
	for _, b := range builders[1:] {
		b.t.each(base.insert)
		b.t = nil
	}
	for _, b := range builders {
		b.pend.each(func(r *Row) {
			c, ok := b.sessions.caller(r.Session)
			switch {
			case ok:
				r.Kind, r.Session, r.CallerAccount = KindCall, "", c
			case !meta.Partial:
				r.Kind, r.Session = KindCall, ""
			}
			base.insert(r)
		})
		b.pend = nil
		for _, r := range b.cov {
			base.insert(r)
		}
		b.cov = nil
	}
	sessions.m.Range(func(k, v any) bool {
		s := v.(*session)
		if s.caller == "" {
			return true
		}
		base.insert(sessionRow(k.(string), s))
		return true
	})
	return &Index{t: base, Meta: meta}
}

func sessionRow(akid string, s *session) *Row {
	return &Row{
		Key: Key{
			Kind:          KindSession,
			Day:           dayOf(s.time),
			Account:       s.account,
			Principal:     s.role,
			CallerAccount: s.caller,
			EventSource:   "sts.amazonaws.com",
			EventName:     "AssumeRole",
			Region:        s.region,
			Session:       akid,
		},
		Calls:     1,
		FirstSeen: s.time,
		LastSeen:  s.time,
	}
}
