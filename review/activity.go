package review

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/usage"
)

// Selection chooses whose activity a Timeline shows: events of principals
// whose ARN matches one of Principals (globs, see tailor.MatchGlob) or
// whose calling account is one of CallerAccounts. An sts:AssumeRole call
// is selected too when the role it assumed matches. An empty Selection
// selects every event.
type Selection struct {
	Principals     []string
	CallerAccounts []string
	// Label describes the selection for people ("vendor Datadog").
	Label string
}

func (s *Selection) empty() bool { return len(s.Principals) == 0 && len(s.CallerAccounts) == 0 }

func (s *Selection) match(a *usage.Activity) bool {
	if s.empty() {
		return true
	}
	if len(s.Principals) > 0 {
		if tailor.MatchAnyGlob(s.Principals, a.Principal) {
			return true
		}
		if a.EventName == "AssumeRole" || strings.HasPrefix(a.EventName, "AssumeRoleWith") {
			if a.AssumedRole != "" && tailor.MatchAnyGlob(s.Principals, a.AssumedRole) {
				return true
			}
			for _, r := range a.Resources {
				if isRoleARN(r) && tailor.MatchAnyGlob(s.Principals, r) {
					return true
				}
			}
		}
	}
	for _, c := range s.CallerAccounts {
		if c == a.CallerAccount || c == a.PrincipalAccount {
			return true
		}
	}
	return false
}

// TimelineOptions tune a Timeline. The zero value shows the whole log with
// a baseline of each principal's first day.
type TimelineOptions struct {
	// Since and Until bound the window; zero is unbounded. Events before
	// Since are the baseline that first appearances are judged against.
	Since, Until time.Time
	// Baseline is how much of a principal's own first activity counts as
	// its baseline when it has no events before Since (or Since is zero);
	// 0 means 24 hours.
	Baseline time.Duration
	// SessionGap splits the calls of long-term credentials (access keys,
	// console sign-ins) into sessions: a pause longer than it starts a new
	// one. 0 means one hour. Temporary credentials are one session per key.
	SessionGap time.Duration
	// MaxResources bounds the resources listed per session and action;
	// 0 means 20.
	MaxResources int
}

// Timeline is what a selection of principals did in a window.
type Timeline struct {
	Selection string `json:"selection"`
	Window    Window `json:"window"`
	// Events counts the selected events in the window; Baseline those
	// before it.
	Events   int64 `json:"events"`
	Baseline int64 `json:"baseline_events"`
	// Sessions are ordered by start.
	Sessions []*Session `json:"sessions"`
	// Firsts are first appearances of something the baseline did not
	// hold, oldest first.
	Firsts []First `json:"first_appearances"`
	// Sweep lists persistence moves, exposure, destructive calls, data
	// reads and execution in the window, by category then time.
	Sweep []*SweepEntry `json:"sweep"`
}

// Session is one set of credentials in use: the temporary key of an
// assumed role, or a run of calls with a long-term key or a console
// sign-in.
type Session struct {
	// ID is the temporary access key id, or for long-term credentials the
	// key id (or principal) and the start time.
	ID            string `json:"id"`
	Principal     string `json:"principal"`
	PrincipalType string `json:"principal_type,omitempty"`
	// CallerAccount is the account the session's calls came from, when
	// outside.
	CallerAccount  string    `json:"caller_account,omitempty"`
	SessionName    string    `json:"session_name,omitempty"`
	SourceIdentity string    `json:"source_identity,omitempty"`
	AccessKey      string    `json:"access_key,omitempty"`
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	// AssumedBy is the principal whose sts:AssumeRole call created the
	// session; ExternalID whether that call carried an ExternalId.
	AssumedBy  string    `json:"assumed_by,omitempty"`
	AssumedAt  time.Time `json:"assumed_at,omitzero"`
	ExternalID bool      `json:"external_id,omitempty"`
	SourceIPs  []string  `json:"source_ips"`
	UserAgents []string  `json:"user_agents"`
	Regions    []string  `json:"regions"`
	Calls      int64     `json:"calls"`
	Denied     int64     `json:"denied"`
	Errors     int64     `json:"errors"`
	// Actions are the calls per event, by first call.
	Actions []*SessionAction `json:"actions"`
	// Resources are the resources the calls touched (at most
	// MaxResources), ResourceCount how many there were.
	Resources     []string `json:"resources,omitempty"`
	ResourceCount int      `json:"resource_count"`
}

// SessionAction is one kind of call within a session.
type SessionAction struct {
	Event      string    `json:"event"` // "s3:GetObject"
	Calls      int64     `json:"calls"`
	Denied     int64     `json:"denied"`
	Errors     int64     `json:"errors"`
	ErrorCodes []string  `json:"error_codes,omitempty"`
	First      time.Time `json:"first"`
	Last       time.Time `json:"last"`
	Resources  []string  `json:"resources,omitempty"`
}

// Kinds of first appearance.
const (
	FirstPrincipal = "principal"
	FirstAction    = "action"
	FirstSourceIP  = "source-ip"
	FirstRegion    = "region"
	FirstUserAgent = "user-agent"
)

// First is the first appearance of something new for a principal: an
// action, a source address, a region or a user agent its baseline did not
// hold; or the principal itself, when it has no activity before the
// window.
type First struct {
	Time      time.Time `json:"time"`
	Principal string    `json:"principal"`
	Kind      string    `json:"kind"`
	Value     string    `json:"value"`
	Session   string    `json:"session,omitempty"`
	// Denied is true when the first call was refused.
	Denied bool `json:"denied,omitempty"`
}

// SweepEntry counts the calls of one principal to one classified event.
type SweepEntry struct {
	Category      string    `json:"category"`
	Event         string    `json:"event"`
	Reason        string    `json:"reason"`
	Principal     string    `json:"principal"`
	CallerAccount string    `json:"caller_account,omitempty"`
	Calls         int64     `json:"calls"`
	Denied        int64     `json:"denied"`
	Errors        int64     `json:"errors"`
	First         time.Time `json:"first"`
	Last          time.Time `json:"last"`
	Resources     []string  `json:"resources,omitempty"`
	SourceIPs     []string  `json:"source_ips,omitempty"`
}

// BuildTimeline reads the activity log through events (see Input.Events)
// and returns what the selection did in the window. It keeps the selected
// events in memory.
func BuildTimeline(ctx context.Context, events func(fn func(*usage.Activity) error) error, sel Selection, opts TimelineOptions) (*Timeline, error) {
	if opts.Baseline <= 0 {
		opts.Baseline = 24 * time.Hour
	}
	if opts.SessionGap <= 0 {
		opts.SessionGap = time.Hour
	}
	if opts.MaxResources <= 0 {
		opts.MaxResources = 20
	}
	var evs []usage.Activity
	err := events(func(a *usage.Activity) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !opts.Until.IsZero() && !a.Time.Before(opts.Until) {
			return nil
		}
		if sel.match(a) {
			c := *a
			c.Resources = slices.Clone(a.Resources)
			c.RequestParams = nil
			evs = append(evs, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("review: read activity log: %w", err)
	}
	slices.SortStableFunc(evs, func(a, b usage.Activity) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.EventID, b.EventID)
	})
	label := sel.Label
	if label == "" {
		label = selectionLabel(sel)
	}
	tl := &Timeline{Selection: label, Window: Window{Since: opts.Since, Until: opts.Until}, Sessions: []*Session{}, Firsts: []First{}, Sweep: []*SweepEntry{}}
	b := &timelineBuilder{opts: opts, tl: tl, open: map[string]*Session{}, seen: map[string]*baseline{}, issued: map[string]*usage.Activity{}, sweep: map[string]*SweepEntry{}}
	for i := range evs {
		a := &evs[i]
		if a.IssuedAccessKeyID != "" {
			b.issued[a.IssuedAccessKeyID] = a
		}
	}
	for i := range evs {
		b.add(&evs[i])
	}
	b.finish()
	return tl, nil
}

func selectionLabel(sel Selection) string {
	var parts []string
	if len(sel.Principals) > 0 {
		parts = append(parts, "principal "+strings.Join(sel.Principals, ", "))
	}
	if len(sel.CallerAccounts) > 0 {
		parts = append(parts, "caller account "+strings.Join(sel.CallerAccounts, ", "))
	}
	if len(parts) == 0 {
		return "all principals"
	}
	return strings.Join(parts, "; ")
}

// baseline is what one principal had done before the window.
type baseline struct {
	end    time.Time // items first seen before it are baseline
	before bool      // the principal had events before Since
	values map[string]bool
}

type timelineBuilder struct {
	opts   TimelineOptions
	tl     *Timeline
	open   map[string]*Session // by session key
	seen   map[string]*baseline
	issued map[string]*usage.Activity // AssumeRole calls by issued key
	sweep  map[string]*SweepEntry
}

func (b *timelineBuilder) add(a *usage.Activity) {
	t := a.Time.UTC()
	base := b.seen[a.Principal]
	inWindow := b.opts.Since.IsZero() || !t.Before(b.opts.Since)
	if base == nil {
		base = &baseline{values: map[string]bool{}}
		if inWindow {
			base.end = t.Add(b.opts.Baseline)
			if !b.opts.Since.IsZero() {
				b.tl.Firsts = append(b.tl.Firsts, First{Time: t, Principal: a.Principal, Kind: FirstPrincipal, Value: a.Principal, Session: sessionID(a), Denied: a.Denied()})
			}
		} else {
			base.before = true
			base.end = b.opts.Since
		}
		b.seen[a.Principal] = base
	}
	items := []struct{ kind, value string }{
		{FirstAction, eventName(a.EventSource, a.EventName)},
		{FirstSourceIP, a.SourceIP},
		{FirstRegion, a.Region},
		{FirstUserAgent, a.UserAgent},
	}
	for _, it := range items {
		if it.value == "" {
			continue
		}
		k := it.kind + "\x00" + it.value
		if base.values[k] {
			continue
		}
		base.values[k] = true
		if inWindow && !t.Before(base.end) {
			b.tl.Firsts = append(b.tl.Firsts, First{Time: t, Principal: a.Principal, Kind: it.kind, Value: it.value, Session: sessionID(a), Denied: a.Denied()})
		}
	}
	if !inWindow {
		b.tl.Baseline++
		return
	}
	b.tl.Events++
	var s *Session
	if a.AssumedRole != "" && strings.HasPrefix(a.IssuedAccessKeyID, "ASIA") {
		s = b.assumed(a, t)
	} else {
		s = b.session(a, t)
	}
	s.Calls++
	denied := a.Denied()
	switch {
	case denied:
		s.Denied++
	case a.ErrorCode != "":
		s.Errors++
	}
	s.End = later(s.End, t)
	addUnique(&s.SourceIPs, a.SourceIP, 50)
	addUnique(&s.UserAgents, a.UserAgent, 20)
	addUnique(&s.Regions, a.Region, 50)
	ev := eventName(a.EventSource, a.EventName)
	var act *SessionAction
	for _, x := range s.Actions {
		if x.Event == ev {
			act = x
			break
		}
	}
	if act == nil {
		act = &SessionAction{Event: ev, First: t}
		s.Actions = append(s.Actions, act)
	}
	act.Calls++
	act.Last = t
	switch {
	case denied:
		act.Denied++
	case a.ErrorCode != "":
		act.Errors++
	}
	if a.ErrorCode != "" {
		addUnique(&act.ErrorCodes, a.ErrorCode, 10)
	}
	for _, r := range a.Resources {
		addUnique(&act.Resources, r, 5)
		if !slices.Contains(s.Resources, r) {
			s.ResourceCount++
			if len(s.Resources) < b.opts.MaxResources {
				s.Resources = append(s.Resources, r)
			}
		}
	}
	if cat, reason, ok := Classify(a.EventSource, a.EventName); ok {
		k := cat + "\x00" + a.Principal + "\x00" + ev + "\x00" + a.CallerAccount
		e := b.sweep[k]
		if e == nil {
			e = &SweepEntry{Category: cat, Event: ev, Reason: reason, Principal: a.Principal, CallerAccount: a.CallerAccount, First: t}
			b.sweep[k] = e
		}
		e.Calls++
		switch {
		case denied:
			e.Denied++
		case a.ErrorCode != "":
			e.Errors++
		}
		e.Last = t
		for _, r := range a.Resources {
			addUnique(&e.Resources, r, 5)
		}
		addUnique(&e.SourceIPs, a.SourceIP, 10)
	}
}

// sessionID names the credentials of a call: the access key, or the
// principal when there is none.
func sessionID(a *usage.Activity) string {
	if a.AccessKeyID != "" {
		return a.AccessKeyID
	}
	return a.Principal
}

// assumed returns the session an sts:AssumeRole call created, which its
// later calls join: the call belongs to the session it opened.
func (b *timelineBuilder) assumed(a *usage.Activity, t time.Time) *Session {
	key := a.AssumedRole + "\x00" + a.IssuedAccessKeyID
	s := b.open[key]
	if s == nil {
		caller := a.CallerAccount
		if caller == "" {
			caller = a.PrincipalAccount
		}
		s = &Session{
			ID: a.IssuedAccessKeyID, Principal: a.AssumedRole, PrincipalType: string(tailor.IdentityAssumedRole),
			CallerAccount: caller, AccessKey: a.IssuedAccessKeyID, Start: t, End: t,
			SourceIPs: []string{}, UserAgents: []string{}, Regions: []string{},
		}
		b.open[key] = s
		b.tl.Sessions = append(b.tl.Sessions, s)
	}
	s.AssumedBy, s.AssumedAt, s.ExternalID = a.Principal, t, a.ExternalID
	if t.Before(s.Start) {
		s.Start = t
	}
	return s
}

// session returns the open session of a call, or starts one.
func (b *timelineBuilder) session(a *usage.Activity, t time.Time) *Session {
	temporary := strings.HasPrefix(a.AccessKeyID, "ASIA")
	key := a.Principal + "\x00" + a.AccessKeyID
	if !temporary {
		key += "\x00" + a.SessionName
	}
	s := b.open[key]
	if s != nil && (temporary || t.Sub(s.End) <= b.opts.SessionGap) {
		if s.SessionName == "" {
			s.SessionName = a.SessionName
		}
		if s.SourceIdentity == "" {
			s.SourceIdentity = a.SourceIdentity
		}
		if s.PrincipalType == "" || s.PrincipalType == string(tailor.IdentityAssumedRole) {
			s.PrincipalType = a.PrincipalType
		}
		return s
	}
	s = &Session{
		Principal: a.Principal, PrincipalType: a.PrincipalType, CallerAccount: a.CallerAccount,
		SessionName: a.SessionName, SourceIdentity: a.SourceIdentity, AccessKey: a.AccessKeyID,
		Start: t, End: t, SourceIPs: []string{}, UserAgents: []string{}, Regions: []string{},
	}
	switch {
	case temporary:
		s.ID = a.AccessKeyID
	case a.AccessKeyID != "":
		s.ID = a.AccessKeyID + "@" + t.Format(time.RFC3339)
	default:
		s.ID = a.Principal + "@" + t.Format(time.RFC3339)
	}
	if temporary {
		if as := b.issued[a.AccessKeyID]; as != nil {
			s.AssumedBy, s.AssumedAt, s.ExternalID = as.Principal, as.Time.UTC(), as.ExternalID
			if s.CallerAccount == "" {
				s.CallerAccount = as.CallerAccount
			}
		}
	}
	if s.CallerAccount != "" && s.CallerAccount == a.PrincipalAccount && !isRoleARN(a.Principal) {
		s.CallerAccount = ""
	}
	b.open[key] = s
	b.tl.Sessions = append(b.tl.Sessions, s)
	return s
}

func addUnique(s *[]string, v string, limit int) {
	if v == "" || len(*s) >= limit || slices.Contains(*s, v) {
		return
	}
	*s = append(*s, v)
}

func (b *timelineBuilder) finish() {
	tl := b.tl
	slices.SortStableFunc(tl.Sessions, func(x, y *Session) int {
		if c := x.Start.Compare(y.Start); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	for _, s := range tl.Sessions {
		slices.Sort(s.SourceIPs)
		slices.Sort(s.UserAgents)
		slices.Sort(s.Regions)
	}
	for _, e := range b.sweep {
		tl.Sweep = append(tl.Sweep, e)
	}
	slices.SortFunc(tl.Sweep, func(x, y *SweepEntry) int {
		if c := cmp.Compare(sweepRank(x.Category), sweepRank(y.Category)); c != 0 {
			return c
		}
		if c := x.First.Compare(y.First); c != 0 {
			return c
		}
		if c := strings.Compare(x.Event, y.Event); c != 0 {
			return c
		}
		return strings.Compare(x.Principal, y.Principal)
	})
	for _, e := range tl.Sweep {
		slices.Sort(e.SourceIPs)
	}
}
