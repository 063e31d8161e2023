package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/review"
	"github.com/tailor-sec/tailor/rightsize"
	"github.com/tailor-sec/tailor/usage"
)

// The data the HTML report embeds: one index document (the overview and
// the list of principals) and one detail document per principal, which the
// page parses only when the principal is opened. Field names are the
// page's contract with report.js; they change with HTMLSchema.

type htmlIndex struct {
	Schema      string         `json:"schema"`
	Tool        string         `json:"tool,omitempty"`
	Generated   time.Time      `json:"generated,omitzero"`
	Account     string         `json:"account"`
	OwnAccounts []string       `json:"own_accounts"`
	Now         time.Time      `json:"now,omitzero"`
	Window      review.Window  `json:"window"`
	Catalog     string         `json:"catalog,omitempty"`
	Inputs      review.Inputs  `json:"inputs"`
	Counts      review.Counts  `json:"counts"`
	Totals      htmlTotals     `json:"totals"`
	Days        []string       `json:"days"`
	Coverage    *htmlCoverage  `json:"coverage,omitempty"`
	Notes       []string       `json:"notes"`
	Principals  []*htmlSummary `json:"principals"`
}

type htmlTotals struct {
	Principals   int `json:"principals"`
	ThirdParties int `json:"third_parties"`
	Findings     int `json:"findings"`
	Suggestions  int `json:"suggestions"`
}

// htmlCoverage says which days, accounts and regions had logs. Records
// lists are aligned with htmlIndex.Days.
type htmlCoverage struct {
	Series           []htmlSeries `json:"series"`
	Total            []int64      `json:"total"`
	MissingDays      []string     `json:"missing_days"`
	Gaps             []htmlGap    `json:"gaps"`
	DataEventSources []string     `json:"data_event_sources"`
	// Unreadable are the log files the index could not read whole: the
	// records after each break are missing from it.
	Unreadable []usage.UnreadableSource `json:"unreadable"`
}

type htmlSeries struct {
	Account string  `json:"account"`
	Region  string  `json:"region"`
	Records []int64 `json:"records"`
	// Lost lists the days (indexes into htmlIndex.Days) of which a log
	// file of the account and region could not be read whole.
	Lost []int `json:"lost,omitempty"`
}

// htmlGap is a run of days without logs for one account and region,
// while other days had some.
type htmlGap struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	From    string `json:"from"`
	To      string `json:"to"`
	Days    int    `json:"days"`
}

type htmlSummary struct {
	ID   string `json:"id"`
	ARN  string `json:"arn"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	// ResourceType is the type of a resource entry: "AWS::S3::Bucket".
	ResourceType string        `json:"resource_type,omitempty"`
	ThirdParty   bool          `json:"third_party"`
	Worst        string        `json:"worst"`
	Counts       review.Counts `json:"counts"`
	Vendors      []string      `json:"vendors"`
	Accounts     []string      `json:"accounts"`
	LastAssumed  time.Time     `json:"last_assumed,omitzero"`
	LastUsed     time.Time     `json:"last_used,omitzero"`
	UnusedShare  *float64      `json:"unused_share"`
	Granted      int           `json:"granted,omitempty"`
	Used         int           `json:"used,omitempty"`
	Calls        int64         `json:"calls"`
}

type htmlDetail struct {
	ID   string `json:"id"`
	ARN  string `json:"arn"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	// ResourceType is the type of a resource entry.
	ResourceType string            `json:"resource_type,omitempty"`
	Worst        string            `json:"worst"`
	Reasons      []string          `json:"reasons"`
	Parties      []*review.Party   `json:"parties"`
	Trust        *htmlTrust        `json:"trust,omitempty"`
	Findings     []*review.Finding `json:"findings"`
	Graph        *htmlGraph        `json:"graph,omitempty"`
	Rightsize    *htmlRightsize    `json:"rightsize,omitempty"`
	Activity     *htmlActivity     `json:"activity,omitempty"`
	// Doors are the resources open to the principal's outside parties.
	Doors []htmlDoor `json:"doors,omitempty"`
}

// htmlTrust is a role's trust policy with every sts:ExternalId value
// replaced by its masked form, and the masked values.
type htmlTrust struct {
	Policy      string                `json:"policy,omitempty"`
	ExternalIDs []review.MaskedSecret `json:"external_ids"`
	Error       string                `json:"error,omitempty"`
}

// htmlGraph is the access graph: principal → services → actions.
type htmlGraph struct {
	// Source says what the graph rests on: "rightsize" (granted and used
	// IAM actions), "review" (the actions the findings name) or "logs"
	// (the events an outside account called).
	Source   string         `json:"source"`
	Calls    int64          `json:"calls"`
	Services []*htmlService `json:"services"`
}

type htmlService struct {
	Service string        `json:"service"`
	Calls   int64         `json:"calls"`
	Actions []*htmlAction `json:"actions"`
	// Unused counts the unused actions; UnusedListed names the first of
	// them (the others are in the policy diff).
	Unused       int      `json:"unused"`
	UnusedListed []string `json:"unused_listed,omitempty"`
	// Kept counts the actions kept though unused because the logs cannot
	// show their use (sensitive ones are in Actions); KeptListed names the
	// first of them, KeptReasons counts them by reason.
	Kept        int            `json:"kept"`
	KeptListed  []string       `json:"kept_listed,omitempty"`
	KeptReasons map[string]int `json:"kept_reasons,omitempty"`
}

type htmlAction struct {
	Action string `json:"action"`
	// State is "used", "kept" (kept though unused, because the logs cannot
	// show its use), "denied" (tried and refused) or "unused".
	State     string    `json:"state"`
	Calls     int64     `json:"calls,omitempty"`
	LastUsed  time.Time `json:"last_used,omitzero"`
	Reason    string    `json:"reason,omitempty"`
	Sensitive string    `json:"sensitive,omitempty"` // why, when sensitive
}

type htmlRightsize struct {
	Error        string                 `json:"error,omitempty"`
	Granted      int                    `json:"granted"`
	Used         int                    `json:"used"`
	UnusedShare  float64                `json:"unused_share"`
	Kept         int                    `json:"kept"`
	Unobservable int                    `json:"unobservable"`
	Removed      int                    `json:"removed"`
	Conditional  int                    `json:"conditional"`
	Resources    rightsize.ResourceMode `json:"resources,omitempty"`
	Current      []string               `json:"current"`
	Boundary     string                 `json:"boundary,omitempty"`
	Verification rightsize.Verification `json:"verification"`
	Window       *rightsize.Window      `json:"window,omitempty"`
	Denied       []rightsize.Denied     `json:"denied,omitempty"`
	Unmapped     []rightsize.Unmapped   `json:"unmapped,omitempty"`
	Notes        []string               `json:"notes,omitempty"`
	Documents    int                    `json:"documents"`
	Policy       string                 `json:"policy,omitempty"`
	Diff         string                 `json:"diff,omitempty"`
	Files        string                 `json:"files,omitempty"`
	Split        bool                   `json:"split,omitempty"`
	Sizes        []int                  `json:"sizes,omitempty"`
	// MissingDays are the window's days without logs, as ranges; KeptAsIs
	// that they made every statement stay as it is.
	MissingDays  string                 `json:"missing_days,omitempty"`
	KeptAsIs     bool                   `json:"kept_as_is,omitempty"`
	Detach       []rightsize.Detachment `json:"detach,omitempty"`
	ServiceLevel *htmlServiceLevel      `json:"service_level,omitempty"`
}

// htmlServiceLevel is the service-level form of a suggestion.
type htmlServiceLevel struct {
	Documents int      `json:"documents"`
	Services  []string `json:"services"`
	Policy    string   `json:"policy"`
}

// htmlActivity is what the principal did: calls per day (sparse: index
// into htmlIndex.Days, calls, denied), its latest sessions and its first
// appearances.
type htmlActivity struct {
	Days [][3]int64 `json:"days"`
	// Groups sums up every session by caller account, addresses and user
	// agents; Sessions are the latest ones.
	Groups        []*htmlSessionGroup `json:"groups"`
	SessionsTotal int                 `json:"sessions_total"`
	Sessions      []*htmlSession      `json:"sessions"`
	FirstsTotal   int                 `json:"firsts_total"`
	Firsts        []review.First      `json:"firsts"`
}

type htmlSession struct {
	ID             string        `json:"id"`
	Principal      string        `json:"principal,omitempty"`
	Start          time.Time     `json:"start"`
	End            time.Time     `json:"end"`
	CallerAccount  string        `json:"caller_account,omitempty"`
	Vendor         string        `json:"vendor,omitempty"`
	SessionName    string        `json:"session_name,omitempty"`
	SourceIdentity string        `json:"source_identity,omitempty"`
	AccessKey      string        `json:"access_key,omitempty"`
	AssumedBy      string        `json:"assumed_by,omitempty"`
	ExternalID     bool          `json:"external_id,omitempty"`
	SourceIPs      []string      `json:"source_ips"`
	UserAgents     []string      `json:"user_agents"`
	Regions        []string      `json:"regions"`
	Calls          int64         `json:"calls"`
	Denied         int64         `json:"denied"`
	Errors         int64         `json:"errors"`
	Actions        []htmlSessAct `json:"actions"`
	ActionsTotal   int           `json:"actions_total"`
}

// htmlSessionGroup is the sessions that came from one caller account,
// with the same addresses and user agents.
type htmlSessionGroup struct {
	CallerAccount string        `json:"caller_account,omitempty"`
	Vendor        string        `json:"vendor,omitempty"`
	SourceIPs     []string      `json:"source_ips"`
	UserAgents    []string      `json:"user_agents"`
	Sessions      int           `json:"sessions"`
	Calls         int64         `json:"calls"`
	Denied        int64         `json:"denied"`
	First         time.Time     `json:"first"`
	Last          time.Time     `json:"last"`
	Actions       []htmlSessAct `json:"actions"`
	ActionsTotal  int           `json:"actions_total"`
}

type htmlSessAct struct {
	Event  string `json:"event"`
	Calls  int64  `json:"calls"`
	Denied int64  `json:"denied,omitempty"`
}

// htmlModel builds the index and the details of a report.
func htmlModel(in *HTMLInput, opts HTMLOptions) (*htmlIndex, []*htmlDetail, error) {
	if in == nil || in.Review == nil {
		return nil, nil, fmt.Errorf("write html: %w", ErrNoReview)
	}
	opts = opts.withDefaults()
	rep := in.Review
	idx := &htmlIndex{
		Schema:      HTMLSchema,
		Tool:        in.Tool,
		Generated:   in.Generated,
		Account:     rep.Account,
		OwnAccounts: nonNil(rep.OwnAccounts),
		Now:         rep.Now,
		Window:      rep.Window,
		Catalog:     in.Catalog,
		Inputs:      rep.Inputs,
		Counts:      rep.Counts,
		Notes:       nonNil(rep.Notes),
		Days:        []string{},
		Principals:  []*htmlSummary{},
	}
	idx.Totals.Principals = len(rep.Principals)
	idx.Totals.Findings = rep.Counts.Total()

	// Suggestions and failures by principal ARN.
	sugg := map[string]*rightsize.Suggestion{}
	fail := map[string]string{}
	if in.Rightsize != nil {
		for _, s := range in.Rightsize.Suggestions {
			sugg[s.Principal] = s
		}
		for _, f := range in.Rightsize.Failures {
			fail[f.Principal] = f.Error
		}
		if in.Rightsize.Catalog != "" && idx.Catalog == "" {
			idx.Catalog = in.Rightsize.Catalog
		}
	}
	idx.Totals.Suggestions = len(sugg)

	// Vendor names of outside accounts, from every party.
	vendorOf := map[string]string{}
	for _, p := range rep.Principals {
		for _, pt := range p.Parties {
			if pt.Account != "" && pt.Vendor != "" {
				vendorOf[pt.Account] = pt.Vendor
			}
		}
	}

	days, dayIndex := htmlDays(rep.Window, in.Usage)
	idx.Days = days
	use := htmlScanUsage(in.Usage, rep.Principals, dayIndex)
	if in.Usage != nil {
		idx.Coverage = htmlCoverageOf(in.Usage, days, dayIndex)
	}

	sessions, firsts := htmlSplitTimeline(in.Timeline, rep.Principals)

	doors := htmlDoorsOf(rep)
	var details []*htmlDetail
	for i, p := range rep.Principals {
		id := fmt.Sprintf("p%d", i)
		if p.ThirdParty {
			idx.Totals.ThirdParties++
		}
		sum := &htmlSummary{ID: id, ARN: p.ARN, Name: p.Name, Kind: p.Kind, ResourceType: p.ResourceType, ThirdParty: p.ThirdParty,
			Worst: p.Worst.String(), LastUsed: p.LastUsed, Vendors: []string{}, Accounts: []string{}}
		if len(p.Findings) == 0 {
			sum.Worst = ""
		}
		for _, f := range p.Findings {
			switch f.Severity {
			case review.SeverityCritical:
				sum.Counts.Critical++
			case review.SeverityHigh:
				sum.Counts.High++
			case review.SeverityMedium:
				sum.Counts.Medium++
			case review.SeverityLow:
				sum.Counts.Low++
			default:
				sum.Counts.Info++
			}
		}
		for _, pt := range p.Parties {
			if pt.Vendor != "" && !slices.Contains(sum.Vendors, pt.Vendor) {
				sum.Vendors = append(sum.Vendors, pt.Vendor)
			}
			if pt.Account != "" && !slices.Contains(sum.Accounts, pt.Account) {
				sum.Accounts = append(sum.Accounts, pt.Account)
			}
			if pt.LastAssumed.After(sum.LastAssumed) {
				sum.LastAssumed = pt.LastAssumed
			}
		}
		d := &htmlDetail{ID: id, ARN: p.ARN, Name: p.Name, Kind: p.Kind, ResourceType: p.ResourceType, Worst: sum.Worst,
			Reasons: nonNil(p.Reasons), Parties: p.Parties, Findings: p.Findings, Doors: doors[p.ARN]}
		if d.Parties == nil {
			d.Parties = []*review.Party{}
		}
		if d.Findings == nil {
			d.Findings = []*review.Finding{}
		}
		if p.Kind == review.KindRole && in.Snapshot != nil {
			if r := in.Snapshot.Role(p.ARN); r != nil {
				d.Trust = htmlTrustOf(r)
			}
		}
		u := use[p.ARN]
		if s, ok := sugg[p.ARN]; ok {
			rs, err := htmlRightsizeOf(s, opts)
			if err != nil {
				return nil, nil, err
			}
			d.Rightsize = rs
			share := s.UnusedShare
			sum.UnusedShare, sum.Granted, sum.Used = &share, s.Granted, s.Used
			d.Graph = htmlGraphFromSuggestion(s, p, opts)
		} else {
			if msg, ok := fail[p.ARN]; ok {
				d.Rightsize = &htmlRightsize{Error: msg, Current: []string{}}
			}
			if p.Kind == review.KindAccount && u != nil {
				d.Graph = htmlGraphFromLogs(u, opts)
			} else {
				d.Graph = htmlGraphFromReview(p, opts)
			}
		}
		if d.Graph != nil && len(d.Graph.Services) == 0 {
			d.Graph = nil
		}
		act := &htmlActivity{Days: [][3]int64{}, Groups: []*htmlSessionGroup{}, Sessions: []*htmlSession{}, Firsts: []review.First{}}
		if u != nil {
			for _, di := range slices.Sorted(maps.Keys(u.days)) {
				c := u.days[di]
				act.Days = append(act.Days, [3]int64{int64(di), c[0], c[1]})
				sum.Calls += c[0]
			}
		}
		ss := sessions[p.ARN]
		act.SessionsTotal = len(ss)
		act.Groups = htmlGroups(ss, vendorOf, opts)
		// The latest sessions, newest first.
		slices.SortStableFunc(ss, func(a, b *review.Session) int { return b.Start.Compare(a.Start) })
		if len(ss) > opts.MaxSessions {
			ss = ss[:opts.MaxSessions]
		}
		for _, s := range ss {
			act.Sessions = append(act.Sessions, htmlSessionOf(s, p, vendorOf, opts))
		}
		fs := firsts[p.ARN]
		act.FirstsTotal = len(fs)
		if len(fs) > opts.MaxFirsts {
			fs = fs[len(fs)-opts.MaxFirsts:] // the latest
		}
		act.Firsts = append(act.Firsts, fs...)
		if u != nil || in.Timeline != nil {
			d.Activity = act
		}
		idx.Principals = append(idx.Principals, sum)
		details = append(details, d)
	}
	return idx, details, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const htmlDay = "2006-01-02"

// htmlDays lists the UTC days of the review's window, else of the usage
// index's coverage, and indexes them.
func htmlDays(w review.Window, ix *usage.Index) ([]string, map[time.Time]int) {
	from, to := w.Since, w.Until
	if (from.IsZero() || to.IsZero()) && ix != nil {
		ix.Scan(usage.Query{Kinds: []usage.Kind{usage.KindCoverage}}, func(r *usage.Row) {
			if from.IsZero() || r.Day.Before(from) {
				from = r.Day
			}
			if to.IsZero() || r.Day.After(to) {
				to = r.Day
			}
		})
	}
	days := []string{}
	index := map[time.Time]int{}
	if from.IsZero() || to.IsZero() {
		return days, index
	}
	from = from.UTC().Truncate(24 * time.Hour)
	to = to.UTC()
	for d := from; !d.After(to); d = d.Add(24 * time.Hour) {
		index[d] = len(days)
		days = append(days, d.Format(htmlDay))
		if len(days) > 3660 { // ten years: enough
			break
		}
	}
	return days, index
}

// htmlCoverageOf counts the records the logs held per account, region and
// day, and finds the gaps.
func htmlCoverageOf(ix *usage.Index, days []string, dayIndex map[time.Time]int) *htmlCoverage {
	type ar struct{ account, region string }
	series := map[ar][]int64{}
	cov := &htmlCoverage{Total: make([]int64, len(days)), MissingDays: []string{}, Gaps: []htmlGap{}, Series: []htmlSeries{},
		DataEventSources: []string{}, Unreadable: ix.Unreadable()}
	if cov.Unreadable == nil {
		cov.Unreadable = []usage.UnreadableSource{}
	}
	ix.Scan(usage.Query{Kinds: []usage.Kind{usage.KindCoverage}}, func(r *usage.Row) {
		if r.EventSource != "" && !slices.Contains(cov.DataEventSources, r.EventSource) {
			cov.DataEventSources = append(cov.DataEventSources, r.EventSource)
		}
		di, ok := dayIndex[r.Day]
		if !ok {
			return
		}
		k := ar{r.Account, r.Region}
		s := series[k]
		if s == nil {
			s = make([]int64, len(days))
			series[k] = s
		}
		s[di] += r.Calls
		cov.Total[di] += r.Calls
	})
	slices.Sort(cov.DataEventSources)
	// The days, accounts and regions whose records a file that broke
	// held, as its key shows them: a row of its own if nothing of that
	// account and region was read at all.
	lost := map[ar][]int{}
	for _, u := range cov.Unreadable {
		d, err := time.Parse(time.DateOnly, u.Day)
		if err != nil || u.Account == "" {
			continue
		}
		di, ok := dayIndex[d]
		if !ok {
			continue
		}
		k := ar{u.Account, u.Region}
		if series[k] == nil {
			series[k] = make([]int64, len(days))
		}
		if !slices.Contains(lost[k], di) {
			lost[k] = append(lost[k], di)
		}
	}
	keys := slices.SortedFunc(maps.Keys(series), func(a, b ar) int {
		return cmp.Or(cmp.Compare(a.account, b.account), cmp.Compare(a.region, b.region))
	})
	for _, k := range keys {
		s := series[k]
		slices.Sort(lost[k])
		cov.Series = append(cov.Series, htmlSeries{Account: k.account, Region: k.region, Records: s, Lost: lost[k]})
		for i := 0; i < len(s); i++ {
			if s[i] != 0 {
				continue
			}
			j := i
			for j+1 < len(s) && s[j+1] == 0 {
				j++
			}
			cov.Gaps = append(cov.Gaps, htmlGap{Account: k.account, Region: k.region, From: days[i], To: days[j], Days: j - i + 1})
			i = j
		}
	}
	for i, n := range cov.Total {
		if n == 0 {
			cov.MissingDays = append(cov.MissingDays, days[i])
		}
	}
	return cov
}

// htmlUse is what the usage index shows a principal did.
type htmlUse struct {
	days   map[int][2]int64 // day index → calls, denied
	events map[string]int64 // "s3.amazonaws.com GetObject" → successful calls (outside accounts only)
}

// htmlScanUsage reads the call rows once: calls and denied calls per day
// for every principal of the review (an outside account by its calls as
// caller account), and the events outside accounts called.
func htmlScanUsage(ix *usage.Index, ps []*review.Principal, dayIndex map[time.Time]int) map[string]*htmlUse {
	out := map[string]*htmlUse{}
	if ix == nil {
		return out
	}
	byARN := map[string]*htmlUse{}
	byCaller := map[string]*htmlUse{}
	for _, p := range ps {
		u := &htmlUse{days: map[int][2]int64{}}
		out[p.ARN] = u
		if p.Kind == review.KindAccount {
			acct := tailor.ARNAccount(p.ARN)
			if acct == "" {
				for _, pt := range p.Parties {
					acct = pt.Account
				}
			}
			u.events = map[string]int64{}
			byCaller[acct] = u
		} else {
			byARN[p.ARN] = u
		}
	}
	ix.Scan(usage.Query{}, func(r *usage.Row) {
		if r.Resource != "" {
			return // the empty-resource row totals the group
		}
		add := func(u *htmlUse) {
			if di, ok := dayIndex[r.Day]; ok {
				c := u.days[di]
				c[0] += r.Calls
				c[1] += r.Denied
				u.days[di] = c
			}
			if u.events != nil && r.Succeeded() > 0 {
				u.events[r.EventSource+" "+r.EventName] += r.Succeeded()
			}
		}
		if u := byARN[r.Principal]; u != nil {
			add(u)
		}
		if r.CallerAccount != "" {
			if u := byCaller[r.CallerAccount]; u != nil {
				add(u)
			}
		}
	})
	return out
}

// htmlSplitTimeline hands the sessions and first appearances of a
// timeline to the principals of the review: a role's or user's own, and
// an outside account's by its caller account.
func htmlSplitTimeline(tl *review.Timeline, ps []*review.Principal) (map[string][]*review.Session, map[string][]review.First) {
	sessions := map[string][]*review.Session{}
	firsts := map[string][]review.First{}
	if tl == nil {
		return sessions, firsts
	}
	own := map[string]bool{}
	caller := map[string]string{} // account → principal ARN
	for _, p := range ps {
		if p.Kind == review.KindAccount {
			if a := tailor.ARNAccount(p.ARN); a != "" {
				caller[a] = p.ARN
			}
		} else {
			own[p.ARN] = true
		}
	}
	sessionOwner := map[string]string{}
	for _, s := range tl.Sessions {
		if own[s.Principal] {
			sessions[s.Principal] = append(sessions[s.Principal], s)
		}
		if arn, ok := caller[s.CallerAccount]; ok {
			sessions[arn] = append(sessions[arn], s)
			sessionOwner[s.ID] = arn
		}
	}
	for _, f := range tl.Firsts {
		if own[f.Principal] {
			firsts[f.Principal] = append(firsts[f.Principal], f)
		}
		if arn, ok := sessionOwner[f.Session]; ok && arn != f.Principal {
			firsts[arn] = append(firsts[arn], f)
		}
	}
	return sessions, firsts
}

func htmlSessionOf(s *review.Session, p *review.Principal, vendorOf map[string]string, opts HTMLOptions) *htmlSession {
	h := &htmlSession{ID: s.ID, Start: s.Start, End: s.End, CallerAccount: s.CallerAccount, Vendor: vendorOf[s.CallerAccount],
		SessionName: s.SessionName, SourceIdentity: s.SourceIdentity, AccessKey: s.AccessKey, AssumedBy: s.AssumedBy,
		ExternalID: s.ExternalID, SourceIPs: nonNil(s.SourceIPs), UserAgents: nonNil(s.UserAgents), Regions: nonNil(s.Regions),
		Calls: s.Calls, Denied: s.Denied, Errors: s.Errors, Actions: []htmlSessAct{}, ActionsTotal: len(s.Actions)}
	if s.Principal != p.ARN {
		h.Principal = s.Principal
	}
	acts := slices.Clone(s.Actions)
	slices.SortStableFunc(acts, func(a, b *review.SessionAction) int { return cmp.Compare(b.Calls, a.Calls) })
	for i, a := range acts {
		if i == opts.MaxSessionActions {
			break
		}
		h.Actions = append(h.Actions, htmlSessAct{Event: a.Event, Calls: a.Calls, Denied: a.Denied})
	}
	return h
}

// htmlGroups sums up sessions by caller account, addresses and user
// agents: the most sessions first, at most opts.MaxSessions groups.
func htmlGroups(ss []*review.Session, vendorOf map[string]string, opts HTMLOptions) []*htmlSessionGroup {
	type key struct{ caller, ips, agents string }
	groups := map[key]*htmlSessionGroup{}
	calls := map[key]map[string]*htmlSessAct{}
	var order []key
	for _, s := range ss {
		k := key{s.CallerAccount, strings.Join(s.SourceIPs, "\n"), strings.Join(s.UserAgents, "\n")}
		g := groups[k]
		if g == nil {
			g = &htmlSessionGroup{CallerAccount: s.CallerAccount, Vendor: vendorOf[s.CallerAccount], SourceIPs: nonNil(s.SourceIPs),
				UserAgents: nonNil(s.UserAgents), First: s.Start, Last: s.End, Actions: []htmlSessAct{}}
			groups[k] = g
			calls[k] = map[string]*htmlSessAct{}
			order = append(order, k)
		}
		g.Sessions++
		g.Calls += s.Calls
		g.Denied += s.Denied
		if s.Start.Before(g.First) {
			g.First = s.Start
		}
		if s.End.After(g.Last) {
			g.Last = s.End
		}
		for _, a := range s.Actions {
			c := calls[k][a.Event]
			if c == nil {
				c = &htmlSessAct{Event: a.Event}
				calls[k][a.Event] = c
			}
			c.Calls += a.Calls
			c.Denied += a.Denied
		}
	}
	out := []*htmlSessionGroup{}
	for _, k := range order {
		g := groups[k]
		acts := slices.Collect(maps.Values(calls[k]))
		slices.SortFunc(acts, func(a, b *htmlSessAct) int {
			return cmp.Or(cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.Event, b.Event))
		})
		g.ActionsTotal = len(acts)
		for i, a := range acts {
			if i == opts.MaxSessionActions {
				break
			}
			g.Actions = append(g.Actions, *a)
		}
		out = append(out, g)
	}
	slices.SortStableFunc(out, func(a, b *htmlSessionGroup) int { return cmp.Compare(b.Sessions, a.Sessions) })
	if len(out) > opts.MaxSessions {
		out = out[:opts.MaxSessions]
	}
	return out
}

// htmlTrustOf renders a role's trust policy with its ExternalId values
// masked.
func htmlTrustOf(r *account.Role) *htmlTrust {
	t := &htmlTrust{ExternalIDs: []review.MaskedSecret{}}
	if len(r.AssumeRolePolicyDocument) == 0 {
		return t
	}
	p, err := policy.ParseEncodedAs(r.AssumeRolePolicyDocument, policy.KindTrust)
	if err != nil {
		t.Error = "the trust policy does not parse: " + err.Error()
		return t
	}
	for i := range p.Statements {
		st := &p.Statements[i]
		conds := slices.Clone(st.Condition)
		for k := range conds {
			if !strings.EqualFold(conds[k].Key, "sts:ExternalId") {
				continue
			}
			vals := slices.Clone(conds[k].Values)
			for n, v := range vals {
				m := review.Mask(v)
				if !slices.Contains(t.ExternalIDs, m) {
					t.ExternalIDs = append(t.ExternalIDs, m)
				}
				vals[n] = "<masked: " + m.String() + ">"
			}
			conds[k].Values = vals
		}
		st.Condition = conds
	}
	b, err := p.MarshalIndent("", "  ")
	if err != nil {
		t.Error = "the trust policy cannot be shown: " + err.Error()
		return t
	}
	t.Policy = string(b)
	return t
}

func htmlRightsizeOf(s *rightsize.Suggestion, opts HTMLOptions) (*htmlRightsize, error) {
	h := &htmlRightsize{Granted: s.Granted, Used: s.Used, UnusedShare: s.UnusedShare, Kept: len(s.Kept),
		Unobservable: len(s.Unobservable), Removed: len(s.Removed), Conditional: s.Conditional, Resources: s.Resources,
		Current: []string{}, Verification: s.Verification, Denied: s.Denied, Unmapped: s.Unmapped, Notes: s.Notes,
		Documents: len(s.Policies), Split: s.Split, Sizes: s.Sizes, KeptAsIs: s.KeptAsIs, Detach: s.Detach}
	w := s.Window
	h.Window = &w
	h.MissingDays = rightsize.DayRanges(w.MissingDays)
	if sl := s.ServiceLevel; sl != nil {
		b, err := RightsizePoliciesJSON(s.Principal, sl.Policies)
		if err != nil {
			return nil, err
		}
		h.ServiceLevel = &htmlServiceLevel{Documents: len(sl.Policies), Services: sl.Services, Policy: string(b)}
	}
	for _, p := range s.Current {
		h.Current = append(h.Current, p.Name)
	}
	if s.Boundary != nil {
		h.Boundary = s.Boundary.Name
	}
	var pol []byte
	if len(s.Policies) > 0 {
		var err error
		if pol, err = RightsizePolicyJSON(s); err != nil {
			return nil, err
		}
	}
	diff, err := RightsizeDiff(s)
	if err != nil {
		return nil, err
	}
	h.Policy, h.Diff = string(pol), string(diff)
	if opts.Files != nil {
		h.Files = opts.Files(s)
	}
	return h, nil
}

// htmlSensitive returns the sensitive actions the principal's findings
// name, and why each is sensitive.
func htmlSensitive(p *review.Principal) map[string]string {
	m := map[string]string{}
	for _, f := range p.Findings {
		for _, a := range f.Evidence.Actions {
			if a.Category != "" {
				why := a.Reason
				if why == "" {
					why = a.Category
				}
				m[a.Action] = why
			}
		}
	}
	return m
}

func htmlServiceOf(action string) string {
	if i := strings.IndexByte(action, ':'); i > 0 {
		return action[:i]
	}
	return action
}

// htmlGraphBuilder groups actions by service.
type htmlGraphBuilder struct {
	services map[string]*htmlService
	opts     HTMLOptions
}

func (g *htmlGraphBuilder) add(a htmlAction) {
	name := htmlServiceOf(a.Action)
	s := g.services[name]
	if s == nil {
		s = &htmlService{Service: name, Actions: []*htmlAction{}}
		g.services[name] = s
	}
	s.Calls += a.Calls
	if a.State == "kept" && a.Sensitive == "" {
		s.Kept++
		if len(s.KeptListed) < g.opts.MaxUnusedListed {
			s.KeptListed = append(s.KeptListed, a.Action)
		}
		if s.KeptReasons == nil {
			s.KeptReasons = map[string]int{}
		}
		why, _, _ := strings.Cut(a.Reason, ":")
		s.KeptReasons[why]++
		return
	}
	if a.State == "unused" && a.Sensitive == "" {
		s.Unused++
		if len(s.UnusedListed) < g.opts.MaxUnusedListed {
			s.UnusedListed = append(s.UnusedListed, a.Action)
		}
		return
	}
	s.Actions = append(s.Actions, &a)
}

func (g *htmlGraphBuilder) graph(source string) *htmlGraph {
	gr := &htmlGraph{Source: source, Services: []*htmlService{}}
	for _, s := range g.services {
		gr.Calls += s.Calls
		slices.SortStableFunc(s.Actions, func(a, b *htmlAction) int {
			return cmp.Or(cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.Action, b.Action))
		})
		slices.Sort(s.UnusedListed)
		slices.Sort(s.KeptListed)
		gr.Services = append(gr.Services, s)
	}
	// Busiest services first; then those with kept or sensitive actions;
	// then by name.
	slices.SortFunc(gr.Services, func(a, b *htmlService) int {
		return cmp.Or(cmp.Compare(b.Calls, a.Calls), cmp.Compare(len(b.Actions), len(a.Actions)), cmp.Compare(a.Service, b.Service))
	})
	return gr
}

func htmlGraphFromSuggestion(s *rightsize.Suggestion, p *review.Principal, opts HTMLOptions) *htmlGraph {
	sens := htmlSensitive(p)
	g := &htmlGraphBuilder{services: map[string]*htmlService{}, opts: opts}
	for _, a := range s.Kept {
		g.add(htmlAction{Action: a.Action, State: "used", Calls: a.Calls, LastUsed: a.LastUsed, Reason: string(a.Reason), Sensitive: sens[a.Action]})
	}
	for _, a := range s.Unobservable {
		g.add(htmlAction{Action: a.Action, State: "kept", Calls: a.Calls, LastUsed: a.LastUsed, Reason: htmlReason(a), Sensitive: sens[a.Action]})
	}
	for _, d := range s.Denied {
		g.add(htmlAction{Action: d.Action, State: "denied", Calls: d.Calls, LastUsed: d.LastSeen, Reason: "tried and refused", Sensitive: sens[d.Action]})
	}
	for _, a := range s.Removed {
		g.add(htmlAction{Action: a.Action, State: "unused", LastUsed: a.LastUsed, Reason: htmlReason(a), Sensitive: sens[a.Action]})
	}
	return g.graph("rightsize")
}

func htmlReason(a rightsize.Action) string {
	if a.Detail != "" {
		return string(a.Reason) + ": " + a.Detail
	}
	return string(a.Reason)
}

func htmlGraphFromReview(p *review.Principal, opts HTMLOptions) *htmlGraph {
	sens := htmlSensitive(p)
	g := &htmlGraphBuilder{services: map[string]*htmlService{}, opts: opts}
	seen := map[string]bool{}
	for _, f := range p.Findings {
		for _, a := range f.Evidence.Actions {
			if seen[a.Action] {
				continue
			}
			seen[a.Action] = true
			state := "unused"
			if a.Used {
				state = "used"
			}
			g.add(htmlAction{Action: a.Action, State: state, Calls: a.Calls, LastUsed: a.LastUsed, Sensitive: sens[a.Action]})
		}
	}
	return g.graph("review")
}

// htmlGraphFromLogs draws what an outside account called: event sources
// and event names, as the logs name them.
func htmlGraphFromLogs(u *htmlUse, opts HTMLOptions) *htmlGraph {
	g := &htmlGraphBuilder{services: map[string]*htmlService{}, opts: opts}
	for ev, calls := range u.events {
		src, name, _ := strings.Cut(ev, " ")
		svc := strings.TrimSuffix(src, ".amazonaws.com")
		g.add(htmlAction{Action: svc + ":" + name, State: "used", Calls: calls})
	}
	return g.graph("logs")
}

// htmlJSON marshals v for a <script type="application/json"> element:
// '<', '>' and '&' are escaped (so no "</script>" or "<!--" can appear),
// as are U+2028 and U+2029.
func htmlJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return b, nil
}
