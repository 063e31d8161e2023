package review

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/usage"
)

// logFacts is what the usage index and the activity log say, gathered in
// one pass over each.
type logFacts struct {
	usage, events bool
	since, until  time.Time

	// assume holds the assumptions of roles by outside accounts: role ARN,
	// then calling account.
	assume map[string]map[string]*assumeStat
	// used holds the actions each principal used successfully.
	used map[string]map[string]*actionStat
	// lastCall is the last successful call of each principal.
	lastCall map[string]time.Time
	// deniedDaily counts denied calls per principal and day (index).
	deniedDaily map[string]map[time.Time]int64
	// deniedActs counts denied calls per principal and action.
	deniedActs map[string]map[string]int64
	// changes are role trust changes (CreateRole, UpdateAssumeRolePolicy,
	// DeleteRole), oldest first.
	changes []roleChange
	// denied holds the denied calls of each principal (activity log).
	denied map[string][]denial
	// addrFirst is when each principal first used each source address.
	addrFirst map[string]map[string]time.Time
	// userUse is how IAM users' keys were used (activity log).
	userUse map[string]*userUse
	// root holds calls of the account's root user, rootCalls their count.
	root      []EventRef
	rootCalls int64
}

type assumeStat struct {
	calls, denied      int64
	first, last        time.Time
	lastDenied         time.Time
	withExternalID     int64
	callers            map[string]int64 // principal ARN → successful assumptions
	lastCall           time.Time        // last call made in the role's sessions
	samples, refusals  []EventRef
	sessions           int64
	firstSeen, lastSes time.Time
}

type actionStat struct {
	calls     int64
	last      time.Time
	resources []string
}

type roleChange struct {
	EventRef
	role string
}

type denial struct {
	t                                 time.Time
	event, ip, ua, key, region, code  string
	session, account, principal, evid string
}

type userUse struct {
	addrs map[string]*addrUse
	keys  map[string]time.Time // access key id → last use
}

type addrUse struct {
	first, last   time.Time
	calls, denied int64
	agents        map[string]bool
}

type mapKey struct{ source, name, params string }

// actions maps an event to the IAM actions it needed, through a cache.
func (r *reviewer) actions(source, name, params string) []string {
	k := mapKey{source, name, params}
	if a, ok := r.mapped[k]; ok {
		return a
	}
	var ps []string
	if params != "" {
		ps = strings.Split(params, ",")
	}
	m := r.cat.Map(source, name, ps)
	a := m.Actions()
	r.mapped[k] = a
	return a
}

// eventName returns "iam:CreateRole" for an event source and name.
func eventName(source, name string) string {
	return catalog.ServicePrefix(source) + ":" + apiVersion.ReplaceAllString(name, "")
}

// isRoleARN reports whether s is the ARN of an IAM role, in any
// partition.
func isRoleARN(s string) bool {
	f := strings.SplitN(s, ":", 6)
	return len(f) == 6 && f[0] == "arn" && f[2] == "iam" && strings.HasPrefix(f[5], "role/")
}

var trustEvents = map[string]bool{"CreateRole": true, "UpdateAssumeRolePolicy": true, "DeleteRole": true}

const maxSamples = 5

func (r *reviewer) gather() error {
	f := &logFacts{
		assume:      map[string]map[string]*assumeStat{},
		used:        map[string]map[string]*actionStat{},
		lastCall:    map[string]time.Time{},
		deniedDaily: map[string]map[time.Time]int64{},
		deniedActs:  map[string]map[string]int64{},
		denied:      map[string][]denial{},
		addrFirst:   map[string]map[string]time.Time{},
		userUse:     map[string]*userUse{},
	}
	r.facts = f
	if r.in.Events != nil {
		f.events = true
		if err := r.gatherEvents(); err != nil {
			return err
		}
	}
	if r.in.Usage != nil {
		f.usage = true
		r.gatherUsage()
	}
	slices.SortStableFunc(f.changes, func(a, b roleChange) int { return a.Time.Compare(b.Time) })
	for _, ds := range f.denied {
		slices.SortStableFunc(ds, func(a, b denial) int { return a.t.Compare(b.t) })
	}
	return nil
}

func (f *logFacts) stat(role, acct string) *assumeStat {
	m := f.assume[role]
	if m == nil {
		m = map[string]*assumeStat{}
		f.assume[role] = m
	}
	s := m[acct]
	if s == nil {
		s = &assumeStat{callers: map[string]int64{}}
		m[acct] = s
	}
	return s
}

func (f *logFacts) use(principal, action string, calls int64, last time.Time, resource string) {
	m := f.used[principal]
	if m == nil {
		m = map[string]*actionStat{}
		f.used[principal] = m
	}
	s := m[action]
	if s == nil {
		s = &actionStat{}
		m[action] = s
	}
	s.calls += calls
	if last.After(s.last) {
		s.last = last
	}
	if resource != "" && len(s.resources) < 10 && !slices.Contains(s.resources, resource) {
		s.resources = append(s.resources, resource)
	}
}

func (f *logFacts) deny(principal, action string, n int64) {
	m := f.deniedActs[principal]
	if m == nil {
		m = map[string]int64{}
		f.deniedActs[principal] = m
	}
	m[action] += n
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// gatherUsage reads the usage index. Assumptions and changes come from the
// activity log when there is one, which has exact times.
func (r *reviewer) gatherUsage() {
	f := r.facts
	ix := r.in.Usage
	f.since = earlier(f.since, ix.Meta.Since)
	for _, row := range ix.Select(usage.Query{Kinds: []usage.Kind{usage.KindCall, usage.KindCoverage, usage.KindSession}}) {
		switch row.Kind {
		case usage.KindCoverage:
			f.since = earlier(f.since, row.FirstSeen)
			f.until = later(f.until, row.LastSeen)
			continue
		case usage.KindSession:
			if f.events || r.own[row.CallerAccount] || row.CallerAccount == "" {
				continue
			}
			s := f.stat(row.Principal, row.CallerAccount)
			s.sessions++
			s.firstSeen = earlier(s.firstSeen, row.FirstSeen)
			s.lastSes = later(s.lastSes, row.FirstSeen)
			continue
		}
		f.until = later(f.until, row.LastSeen)
		if row.Resource == "" {
			if row.Denied > 0 {
				m := f.deniedDaily[row.Principal]
				if m == nil {
					m = map[time.Time]int64{}
					f.deniedDaily[row.Principal] = m
				}
				m[row.Day] += row.Denied
				for _, a := range r.actions(row.EventSource, row.EventName, row.RequestParams) {
					f.deny(row.Principal, a, row.Denied)
				}
			}
			if row.Succeeded() > 0 {
				f.lastCall[row.Principal] = later(f.lastCall[row.Principal], row.LastSeen)
				if row.CallerAccount != "" && !r.own[row.CallerAccount] && isRoleARN(row.Principal) {
					s := f.stat(row.Principal, row.CallerAccount)
					s.lastCall = later(s.lastCall, row.LastSeen)
				}
				for _, a := range r.actions(row.EventSource, row.EventName, row.RequestParams) {
					f.use(row.Principal, a, row.Succeeded(), row.LastSeen, "")
				}
			}
			if row.PrincipalType == "Root" && !f.events && r.own[tailor.ARNAccount(row.Principal)] {
				f.rootCalls += row.Calls
				f.root = append(f.root, EventRef{Time: row.FirstSeen, Event: eventName(row.EventSource, row.EventName), Principal: row.Principal, Count: row.Calls})
			}
			continue
		}
		// Rows with a resource.
		if row.Succeeded() > 0 {
			for _, a := range r.actions(row.EventSource, row.EventName, row.RequestParams) {
				f.use(row.Principal, a, 0, time.Time{}, row.Resource)
			}
		}
		if f.events {
			continue
		}
		if row.EventSource == "sts.amazonaws.com" && row.EventName == "AssumeRole" && isRoleARN(row.Resource) {
			acct := row.CallerAccount
			if acct == "" {
				acct = tailor.ARNAccount(row.Principal)
			}
			if acct == "" || r.own[acct] {
				continue
			}
			s := f.stat(row.Resource, acct)
			if n := row.Succeeded(); n > 0 {
				s.calls += n
				s.first = earlier(s.first, row.FirstSeen)
				s.last = later(s.last, row.LastSeen)
				s.callers[row.Principal] += n
			}
			if row.Denied > 0 {
				s.denied += row.Denied
				s.lastDenied = later(s.lastDenied, row.LastSeen)
				s.refusals = append(s.refusals, EventRef{Time: row.FirstSeen, Event: "sts:AssumeRole", Principal: row.Principal, Account: acct, ErrorCode: "denied", Count: row.Denied})
			}
		}
		if row.EventSource == "iam.amazonaws.com" && trustEvents[row.EventName] && isRoleARN(row.Resource) {
			f.changes = append(f.changes, roleChange{role: row.Resource, EventRef: EventRef{
				Time: row.FirstSeen, Event: "iam:" + row.EventName, Principal: row.Principal, Count: row.Calls,
			}})
		}
	}
}

// gatherEvents reads the activity log.
func (r *reviewer) gatherEvents() error {
	f := r.facts
	err := r.in.Events(func(a *usage.Activity) error {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		t := a.Time.UTC()
		f.since = earlier(f.since, t)
		f.until = later(f.until, t)
		ok := a.ErrorCode == ""
		if ok {
			f.lastCall[a.Principal] = later(f.lastCall[a.Principal], t)
			if r.in.Usage == nil {
				for _, act := range r.actions(a.EventSource, a.EventName, strings.Join(a.RequestParams, ",")) {
					res := ""
					if len(a.Resources) > 0 {
						res = a.Resources[len(a.Resources)-1]
					}
					f.use(a.Principal, act, 1, t, res)
				}
			}
		}
		if a.SourceIP != "" {
			m := f.addrFirst[a.Principal]
			if m == nil {
				m = map[string]time.Time{}
				f.addrFirst[a.Principal] = m
			}
			if first, seen := m[a.SourceIP]; !seen || t.Before(first) {
				m[a.SourceIP] = t
			}
		}
		if a.Denied() && r.in.Usage == nil {
			for _, act := range r.actions(a.EventSource, a.EventName, strings.Join(a.RequestParams, ",")) {
				f.deny(a.Principal, act, 1)
			}
		}
		if a.Denied() {
			f.denied[a.Principal] = append(f.denied[a.Principal], denial{
				t: t, event: eventName(a.EventSource, a.EventName), ip: a.SourceIP, ua: a.UserAgent,
				key: a.AccessKeyID, region: a.Region, code: a.ErrorCode, session: a.SessionName,
				account: a.CallerAccount, principal: a.Principal, evid: a.EventID,
			})
		}
		caller := a.CallerAccount
		if caller == "" {
			caller = a.PrincipalAccount
		}
		if ok && caller != "" && !r.own[caller] && isRoleARN(a.Principal) {
			s := f.stat(a.Principal, caller)
			s.lastCall = later(s.lastCall, t)
		}
		switch {
		case a.EventSource == "sts.amazonaws.com" && a.EventName == "AssumeRole":
			role := a.AssumedRole
			if role == "" {
				for _, res := range a.Resources {
					if isRoleARN(res) {
						role = res
						break
					}
				}
			}
			if role == "" || caller == "" || r.own[caller] {
				break
			}
			s := f.stat(role, caller)
			ref := EventRef{Time: t, Event: "sts:AssumeRole", Principal: a.Principal, Account: caller, SessionName: a.SessionName,
				SourceIP: a.SourceIP, UserAgent: a.UserAgent, ErrorCode: a.ErrorCode, EventID: a.EventID}
			if ok {
				s.calls++
				s.first = earlier(s.first, t)
				s.last = later(s.last, t)
				s.callers[a.Principal]++
				if a.ExternalID {
					s.withExternalID++
				}
				keepSample(&s.samples, ref)
			} else {
				s.denied++
				s.lastDenied = later(s.lastDenied, t)
				keepSample(&s.refusals, ref)
			}
		case a.EventSource == "iam.amazonaws.com" && trustEvents[a.EventName]:
			for _, res := range a.Resources {
				if isRoleARN(res) {
					f.changes = append(f.changes, roleChange{role: res, EventRef: EventRef{
						Time: t, Event: "iam:" + a.EventName, Principal: a.Principal, SessionName: a.SessionName,
						SourceIP: a.SourceIP, UserAgent: a.UserAgent, ErrorCode: a.ErrorCode, EventID: a.EventID,
					}})
					break
				}
			}
		}
		switch a.PrincipalType {
		case "IAMUser":
			u := f.userUse[a.Principal]
			if u == nil {
				u = &userUse{addrs: map[string]*addrUse{}, keys: map[string]time.Time{}}
				f.userUse[a.Principal] = u
			}
			if a.AccessKeyID != "" {
				u.keys[a.AccessKeyID] = later(u.keys[a.AccessKeyID], t)
			}
			ad := u.addrs[a.SourceIP]
			if ad == nil {
				ad = &addrUse{first: t, last: t, agents: map[string]bool{}}
				u.addrs[a.SourceIP] = ad
			}
			ad.first = earlier(ad.first, t)
			ad.last = later(ad.last, t)
			ad.calls++
			if a.Denied() {
				ad.denied++
			}
			if len(ad.agents) < 10 {
				ad.agents[a.UserAgent] = true
			}
		case "Root":
			if r.own[a.PrincipalAccount] || r.own[tailor.ARNAccount(a.Principal)] {
				f.rootCalls++
				if len(f.root) < 200 {
					f.root = append(f.root, EventRef{Time: t, Event: eventName(a.EventSource, a.EventName), Principal: a.Principal,
						SourceIP: a.SourceIP, UserAgent: a.UserAgent, ErrorCode: a.ErrorCode, EventID: a.EventID})
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("review: read activity log: %w", err)
	}
	slices.SortStableFunc(f.root, func(a, b EventRef) int { return a.Time.Compare(b.Time) })
	for _, m := range f.assume {
		for _, s := range m {
			sortRefs(s.samples)
			sortRefs(s.refusals)
		}
	}
	return nil
}

// keepSample keeps the first and the latest samples: the first
// maxSamples-1, then the last one in the last slot.
func keepSample(s *[]EventRef, e EventRef) {
	if len(*s) < maxSamples {
		*s = append(*s, e)
		return
	}
	// Keep the earliest maxSamples-1 and the latest one.
	all := append(*s, e)
	sortRefs(all)
	*s = append(all[:maxSamples-1:maxSamples-1], all[len(all)-1])
}

func sortRefs(s []EventRef) {
	slices.SortStableFunc(s, func(a, b EventRef) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.EventID, b.EventID)
	})
}
