package review

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/usage"
)

// ErrNoSnapshot means Review was called without an IAM snapshot.
var ErrNoSnapshot = errors.New("review: no IAM snapshot")

// Input is what a review reads. Only Snapshot is required; each other
// input adds evidence and findings.
type Input struct {
	Snapshot *account.Snapshot
	// Usage is the usage index: assumptions per role and calling account,
	// the actions each principal used, denied calls per day.
	Usage *usage.Index
	// Events streams the activity log: it calls fn for each event, in any
	// order, until fn returns an error, as usage.ScanActivity does (the
	// *Activity may be reused between calls). It may be called more than
	// once. Nil when there is no activity log.
	Events func(fn func(*usage.Activity) error) error
	// Credentials is the credential report: access keys and the root user.
	Credentials *account.CredentialReport
	// Vendors names outside accounts.
	Vendors *Vendors
	// Resources are the account's resource policies, shares and KMS
	// grants (see account.Resource): each outside account, anyone, or
	// service they let in is a door the review judges.
	Resources []account.Resource
	// The file names of the inputs, for the report and for the commands
	// remedies print; empty when not known.
	IAMPath, UsagePath, EventsPath, CredentialsPath, ResourcesPath string
}

// Rightsizer suggests a least-privilege policy for a principal. It is the
// hook through which the rightsize package attaches its suggestion to the
// remedy of PERMISSIONS-UNUSED findings (Remedy.SuggestedPolicy); without
// one the remedy gives the `tailor rightsize` command to run.
type Rightsizer interface {
	// Suggest returns the suggested policy document for the principal
	// with the given ARN, or an error that the review notes and goes on.
	Suggest(ctx context.Context, principalARN string) (json.RawMessage, error)
}

// Options tune a review. The zero value reviews with the documented
// defaults: 90 days of inactivity, keys older than 90 days, bursts of 10
// denied calls, the embedded catalog, and "now" at the end of the logs'
// window.
type Options struct {
	// OwnAccounts are accounts of the owner besides the snapshot's own:
	// trust to them is not third-party.
	OwnAccounts []string
	// OwnNetworks are the owner's address ranges. An IAM user's key used
	// from an address outside them (and outside private, shared, loopback
	// and link-local ranges and AWS-internal sources) is used from
	// outside.
	OwnNetworks []netip.Prefix
	// Now is the time the review judges ages against. Zero means the end
	// of the window the usage index or activity log covers, else the
	// credential report's generation time, else Clock().
	Now time.Time
	// Clock is the last resort for Now; nil means time.Now.
	Clock func() time.Time
	// InactiveDays is how long a third-party role or an access key may go
	// unused before it is a finding; 0 means 90.
	InactiveDays int
	// KeyAgeDays is the rotation threshold of access keys; 0 means 90.
	KeyAgeDays int
	// BurstThreshold is the number of denied calls that make a burst; 0
	// means 10. Denied calls belong to one burst while less than BurstGap
	// (0 means 5 minutes) separates them. Without an activity log a burst
	// is BurstThreshold denied calls of one principal in one day.
	BurstThreshold int
	BurstGap       time.Duration
	// UnusedShare is the share of granted actions left unused from which
	// PERMISSIONS-UNUSED is reported; 0 means 0.5.
	UnusedShare float64
	// Catalog maps events to actions and knows access levels; nil means
	// catalog.Embedded().
	Catalog *catalog.Catalog
	// Rightsizer, when set, is asked for a suggested policy for every
	// principal with a PERMISSIONS-UNUSED finding.
	Rightsizer Rightsizer
	// AllPrincipals applies the escalation analysis (ESCALATION-PATH) to
	// every role and user of the snapshot, not only to third parties: a
	// view of the whole account.
	AllPrincipals bool
}

func (o *Options) defaults() {
	if o.InactiveDays <= 0 {
		o.InactiveDays = 90
	}
	if o.KeyAgeDays <= 0 {
		o.KeyAgeDays = 90
	}
	if o.BurstThreshold <= 0 {
		o.BurstThreshold = 10
	}
	if o.BurstGap <= 0 {
		o.BurstGap = 5 * time.Minute
	}
	if o.UnusedShare <= 0 {
		o.UnusedShare = 0.5
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
}

// Report is the result of a review.
type Report struct {
	// Account is the snapshot's account; OwnAccounts all accounts treated
	// as the owner's.
	Account     string   `json:"account"`
	OwnAccounts []string `json:"own_accounts"`
	// Now is the time ages were judged against.
	Now time.Time `json:"now"`
	// Window is the time the logs cover; zero when no logs were read.
	Window     Window     `json:"window"`
	Inputs     Inputs     `json:"inputs"`
	Thresholds Thresholds `json:"thresholds"`
	// AllPrincipals is true when internal principals were analysed for
	// escalation paths too.
	AllPrincipals bool `json:"all_principals,omitempty"`
	// Counts counts the findings by severity.
	Counts Counts `json:"counts"`
	// Principals are ordered by their worst finding, then by the number
	// of findings at that severity, then by ARN.
	Principals []*Principal `json:"principals"`
	// Notes say what the review could not judge and why.
	Notes []string `json:"notes,omitempty"`
}

// Window is a span of time; a zero bound is unknown.
type Window struct {
	Since time.Time `json:"since,omitzero"`
	Until time.Time `json:"until,omitzero"`
}

// Inputs names what the review read.
type Inputs struct {
	IAM              string `json:"iam"`
	Usage            string `json:"usage,omitempty"`
	Events           string `json:"events,omitempty"`
	CredentialReport string `json:"credential_report,omitempty"`
	Resources        string `json:"resources,omitempty"`
	ResourceEntries  int    `json:"resource_entries,omitempty"`
	Vendors          string `json:"vendors,omitempty"`
	VendorEntries    int    `json:"vendor_entries,omitempty"`
	// Unreadable are the log files the usage index was built from that
	// could not be read whole: the review judged without the records
	// after each break.
	Unreadable []usage.UnreadableSource `json:"unreadable,omitempty"`
}

// Thresholds are the limits the review applied.
type Thresholds struct {
	InactiveDays   int     `json:"inactive_days"`
	KeyAgeDays     int     `json:"key_age_days"`
	BurstThreshold int     `json:"burst_threshold"`
	BurstGap       string  `json:"burst_gap"`
	UnusedShare    float64 `json:"unused_share"`
}

// Counts counts findings by severity.
type Counts struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
}

// AtLeast returns the number of findings at or above s.
func (c Counts) AtLeast(s Severity) int {
	n := 0
	for _, x := range []struct {
		s Severity
		n int
	}{{SeverityCritical, c.Critical}, {SeverityHigh, c.High}, {SeverityMedium, c.Medium}, {SeverityLow, c.Low}, {SeverityInfo, c.Info}} {
		if x.s >= s {
			n += x.n
		}
	}
	return n
}

// Total returns the number of findings.
func (c Counts) Total() int { return c.AtLeast(SeverityInfo) }

// Principal kinds.
const (
	KindRole    = "role"
	KindUser    = "user"
	KindAccount = "account" // an outside account seen in the logs
	KindRoot    = "root"
	// KindResource is a resource (a bucket, a key, a snapshot) whose
	// policy, sharing or grants let outside parties in.
	KindResource = "resource"
	KindOther    = "other"
)

// Principal is one way into the account, with its findings.
type Principal struct {
	ARN  string `json:"arn"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	// ResourceType is the type of a KindResource entry:
	// "AWS::S3::Bucket".
	ResourceType string `json:"resource_type,omitempty"`
	// ThirdParty is true when an outside party can get in through it.
	ThirdParty bool `json:"third_party"`
	// Reasons say why the principal is in the review.
	Reasons []string `json:"reasons"`
	// Parties are the outside accounts (or anyone) that can get in.
	Parties []*Party `json:"parties,omitempty"`
	// LastUsed is the latest use the snapshot or the logs show.
	LastUsed time.Time  `json:"last_used,omitzero"`
	Worst    Severity   `json:"worst"`
	Findings []*Finding `json:"findings"`
}

// Party kinds.
const (
	PartyVendor       = "vendor"       // named by the known-accounts list
	PartyAWS          = "aws-service"  // an account AWS uses for a service
	PartyOrganization = "organization" // likely the owner's organization management account
	PartyUnknown      = "unknown"      // an outside account no list names
	PartyAnyone       = "anyone"       // Principal "*"
	PartyProvider     = "identity-provider"
)

// Party is an outside account that a role's trust admits, or that the
// logs show assuming a role.
type Party struct {
	Account string `json:"account,omitempty"`
	Vendor  string `json:"vendor,omitempty"`
	Kind    string `json:"kind"`
	// Principals are the trust policy's principal values that admit it.
	Principals []string `json:"principals,omitempty"`
	// ExternalID is true when every statement that admits it requires an
	// sts:ExternalId.
	ExternalID bool `json:"external_id"`
	// Trusted is false for an account seen in the logs that today's trust
	// does not admit.
	Trusted bool `json:"trusted"`
	// What the logs show: successful and refused assumptions, the last of
	// each, and the principals of the party that assumed.
	Assumptions  int64     `json:"assumptions,omitempty"`
	Denied       int64     `json:"denied_assumptions,omitempty"`
	LastAssumed  time.Time `json:"last_assumed,omitzero"`
	LastDenied   time.Time `json:"last_denied,omitzero"`
	AssumedBy    []string  `json:"assumed_by,omitempty"`
	LastActivity time.Time `json:"last_activity,omitzero"`
	// For a resource's party: the calls the logs show its principals
	// making on the resource, refused ones apart, and the first.
	Calls         int64     `json:"calls,omitempty"`
	DeniedCalls   int64     `json:"denied_calls,omitempty"`
	FirstActivity time.Time `json:"first_activity,omitzero"`
}

// label names the party for people: "464622532012 (Datadog)".
func (p *Party) label() string {
	switch {
	case p.Kind == PartyAnyone:
		return "anyone"
	case p.Vendor != "":
		return p.Account + " (" + p.Vendor + ")"
	}
	return p.Account
}

// Review reviews the third-party access to the account of in.Snapshot. It
// returns an error only for unusable input (no snapshot, an activity log
// that fails to read); problems with parts of the input are noted in
// Report.Notes and the review goes on.
func Review(ctx context.Context, in Input, opts Options) (*Report, error) {
	if in.Snapshot == nil {
		return nil, ErrNoSnapshot
	}
	opts.defaults()
	cat := opts.Catalog
	if cat == nil {
		c, err := catalog.Embedded()
		if err != nil {
			return nil, fmt.Errorf("review: load catalog: %w", err)
		}
		cat = c
	}
	r := &reviewer{
		ctx: ctx, in: in, opts: opts, cat: cat,
		own:        map[string]bool{},
		principals: map[string]*Principal{},
		mapped:     map[mapKey][]string{},
	}
	acct := in.Snapshot.AccountID()
	r.report = &Report{
		Account: acct,
		Inputs: Inputs{
			IAM: in.IAMPath, Usage: in.UsagePath, Events: in.EventsPath,
			CredentialReport: in.CredentialsPath, Vendors: in.Vendors.Source(), VendorEntries: in.Vendors.Len(),
			Resources: in.ResourcesPath, ResourceEntries: len(in.Resources),
		},
		Thresholds: Thresholds{
			InactiveDays: opts.InactiveDays, KeyAgeDays: opts.KeyAgeDays,
			BurstThreshold: opts.BurstThreshold, BurstGap: opts.BurstGap.String(), UnusedShare: opts.UnusedShare,
		},
		AllPrincipals: opts.AllPrincipals,
	}
	if in.Usage != nil && !hasRecords(in.Usage) {
		// An index of no record is no evidence: judged from it, every
		// permission would look unused.
		r.note("The usage index holds no CloudTrail records: nothing was judged from it.")
		r.in.Usage = nil
	}
	if in.Events != nil {
		ok, err := hasEvents(in.Events)
		if err != nil {
			return nil, err
		}
		if !ok {
			r.note("The activity log holds no events: nothing was judged from it.")
			r.in.Events = nil
		}
	}
	if in.Usage != nil {
		r.report.Inputs.Unreadable = in.Usage.Unreadable()
		if n := len(r.report.Inputs.Unreadable); n > 0 {
			r.note(fmt.Sprintf("%d %s the usage index was built from could not be read whole: the review judged without the records after each break (inputs.unreadable lists them).",
				n, plural(n, "log file", "log files")))
		}
	}
	if acct != "" {
		r.own[acct] = true
	}
	for _, a := range opts.OwnAccounts {
		r.own[a] = true
	}
	for a := range r.own {
		r.report.OwnAccounts = append(r.report.OwnAccounts, a)
	}
	slices.Sort(r.report.OwnAccounts)

	if err := r.gather(); err != nil {
		return nil, err
	}
	if err := r.gatherResourceUse(); err != nil {
		return nil, err
	}
	r.setNow()
	if in.Vendors == nil {
		r.note("No known-accounts list was given: outside accounts are not named (run 'tailor vendors update' or pass --vendors).")
	}
	if err := r.findBursts(); err != nil {
		return nil, err
	}
	r.reviewRoles()
	r.reviewUntrustedAccounts()
	r.reviewUsers()
	if opts.AllPrincipals {
		r.reviewAllPrincipals()
	}
	r.reviewRoot()
	r.reviewBursts()
	r.reviewResources()
	r.finish()
	return r.report, ctx.Err()
}

// reviewer holds the state of one review.
type reviewer struct {
	ctx    context.Context
	in     Input
	opts   Options
	cat    *catalog.Catalog
	own    map[string]bool
	now    time.Time
	facts  *logFacts
	report *Report

	principals map[string]*Principal
	mapped     map[mapKey][]string
	noted      map[string]bool
	bursts     map[string][]*burst // by principal ARN
	// resUse holds the calls outside accounts made on the resources of
	// in.Resources: resource ARN, then calling account.
	resUse map[string]map[string]*resourceUse
	// esc is what the escalation analysis knows of the snapshot, built
	// on first use.
	esc *escalationEnv
}

func (r *reviewer) note(s string) {
	if r.noted == nil {
		r.noted = map[string]bool{}
	}
	if !r.noted[s] {
		r.noted[s] = true
		r.report.Notes = append(r.report.Notes, s)
	}
}

// setNow fixes the time ages are judged against.
func (r *reviewer) setNow() {
	switch {
	case !r.opts.Now.IsZero():
		r.now = r.opts.Now.UTC()
	case !r.facts.until.IsZero():
		r.now = r.facts.until
	case r.in.Credentials != nil && !r.in.Credentials.GeneratedTime.IsZero():
		r.now = r.in.Credentials.GeneratedTime.UTC()
	default:
		r.now = r.opts.Clock().UTC()
	}
	r.report.Now = r.now
	r.report.Window = Window{Since: r.facts.since, Until: r.facts.until}
}

// principal returns the entry for arn, creating it.
func (r *reviewer) principal(arn, kind, name string) *Principal {
	p := r.principals[arn]
	if p == nil {
		p = &Principal{ARN: arn, Kind: kind, Name: name}
		r.principals[arn] = p
	}
	return p
}

func (p *Principal) reason(s string) {
	if !slices.Contains(p.Reasons, s) {
		p.Reasons = append(p.Reasons, s)
	}
}

func (p *Principal) add(f *Finding) {
	for _, g := range p.Findings {
		if g.ID == f.ID {
			return
		}
	}
	p.Findings = append(p.Findings, f)
}

// finish orders principals and findings and counts them.
func (r *reviewer) finish() {
	rep := r.report
	for _, p := range r.principals {
		if len(p.Findings) == 0 && !p.ThirdParty {
			continue
		}
		slices.SortStableFunc(p.Findings, func(a, b *Finding) int {
			if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
				return c
			}
			if c := cmp.Compare(ruleIndex(a.Rule), ruleIndex(b.Rule)); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		p.Worst = SeverityInfo
		for _, f := range p.Findings {
			p.Worst = max(p.Worst, f.Severity)
			switch f.Severity {
			case SeverityCritical:
				rep.Counts.Critical++
			case SeverityHigh:
				rep.Counts.High++
			case SeverityMedium:
				rep.Counts.Medium++
			case SeverityLow:
				rep.Counts.Low++
			default:
				rep.Counts.Info++
			}
		}
		slices.SortFunc(p.Parties, func(a, b *Party) int { return strings.Compare(a.Account, b.Account) })
		if p.Findings == nil {
			p.Findings = []*Finding{}
		}
		rep.Principals = append(rep.Principals, p)
	}
	countAt := func(p *Principal, s Severity) int {
		n := 0
		for _, f := range p.Findings {
			if f.Severity == s {
				n++
			}
		}
		return n
	}
	slices.SortFunc(rep.Principals, func(a, b *Principal) int {
		if c := boolCmp(len(a.Findings) > 0, len(b.Findings) > 0); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Worst, a.Worst); c != 0 {
			return c
		}
		if c := cmp.Compare(countAt(b, b.Worst), countAt(a, a.Worst)); c != 0 {
			return c
		}
		return strings.Compare(a.ARN, b.ARN)
	})
	if rep.Principals == nil {
		rep.Principals = []*Principal{}
	}
}

// boolCmp orders true before false.
func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// party returns a party description for an outside account.
func (r *reviewer) party(acct string) *Party {
	p := &Party{Account: acct, Kind: PartyUnknown}
	if v, ok := r.in.Vendors.Lookup(acct); ok {
		p.Vendor = v.Name
		p.Kind = PartyVendor
		if v.AWS {
			p.Kind = PartyAWS
			p.Vendor = "AWS " + v.Name
		}
	}
	return p
}

// kindOf tells a principal's kind from its ARN.
func (r *reviewer) kindOf(arn string) (kind, name string) {
	f := strings.SplitN(arn, ":", 6)
	if len(f) < 6 || f[0] != "arn" || f[2] != "iam" {
		return KindOther, arn
	}
	res := f[5]
	switch {
	case strings.HasPrefix(res, "role/"):
		return KindRole, res[strings.LastIndex(res, "/")+1:]
	case strings.HasPrefix(res, "user/"):
		return KindUser, res[strings.LastIndex(res, "/")+1:]
	case res == "root":
		if r.own[tailor.ARNAccount(arn)] {
			return KindRoot, "root"
		}
		return KindAccount, tailor.ARNAccount(arn)
	}
	return KindOther, arn
}

// days returns a duration in whole days, for people.
func days(d time.Duration) string {
	n := int(d / (24 * time.Hour))
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// times says how often: "once", "twice", "7 times".
func times(n int64) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

func dayString(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02")
}

// hasRecords reports whether the index holds any record of the logs: a
// coverage row (every index tailor writes has one per day, account and
// region with logs), else, for one another engine wrote, a call row.
func hasRecords(ix *usage.Index) bool {
	if len(ix.Select(usage.Query{Kinds: []usage.Kind{usage.KindCoverage}})) > 0 {
		return true
	}
	found := false
	ix.Scan(usage.Query{}, func(*usage.Row) { found = true })
	return found
}

// hasEvents reports whether the activity log events streams holds an
// event, reading no further than the first.
func hasEvents(events func(fn func(*usage.Activity) error) error) (bool, error) {
	errFound := errors.New("found")
	err := events(func(*usage.Activity) error { return errFound })
	if err == errFound {
		return true, nil
	}
	return false, err
}
