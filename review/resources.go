package review

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/usage"
)

// PartyService is an AWS service principal ("cloudtrail.amazonaws.com")
// that a resource policy lets act on the resource.
const PartyService = "service-principal"

// resourceUse is what the logs show of an outside account using a
// resource.
type resourceUse struct {
	calls, denied int64
	first, last   time.Time
	actions       map[string]*actionStat
}

// gatherResourceUse reads the calls made on the resources of in.Resources
// by principals of outside accounts: from the usage index when there is
// one, else from the activity log.
func (r *reviewer) gatherResourceUse() error {
	r.resUse = map[string]map[string]*resourceUse{}
	if len(r.in.Resources) == 0 {
		return nil
	}
	arns := make([]string, 0, len(r.in.Resources))
	for _, res := range r.in.Resources {
		arns = append(arns, res.ARN)
	}
	slices.Sort(arns)
	arns = slices.Compact(arns)
	// owner finds the resource a logged resource ARN is or lies in (an S3
	// object lies in its bucket).
	owner := func(s string) string {
		i, found := slices.BinarySearch(arns, s)
		if found {
			return s
		}
		if i > 0 && strings.HasPrefix(s, arns[i-1]+"/") {
			return arns[i-1]
		}
		return ""
	}
	add := func(resARN, acct, action string, ok, denied int64, first, last time.Time) {
		m := r.resUse[resARN]
		if m == nil {
			m = map[string]*resourceUse{}
			r.resUse[resARN] = m
		}
		u := m[acct]
		if u == nil {
			u = &resourceUse{actions: map[string]*actionStat{}}
			m[acct] = u
		}
		u.calls += ok
		u.denied += denied
		u.first = earlier(u.first, first)
		u.last = later(u.last, last)
		if ok > 0 && action != "" {
			s := u.actions[action]
			if s == nil {
				s = &actionStat{}
				u.actions[action] = s
			}
			s.calls += ok
			s.last = later(s.last, last)
		}
	}
	outside := func(principal, principalAccount string) string {
		acct := principalAccount
		if acct == "" {
			acct = tailor.ARNAccount(principal)
		}
		if acct == "" || r.own[acct] {
			return ""
		}
		return acct
	}
	if ix := r.in.Usage; ix != nil {
		for _, row := range ix.Select(usage.Query{}) {
			if row.Resource == "" {
				continue
			}
			res := owner(row.Resource)
			acct := outside(row.Principal, "")
			if res == "" || acct == "" {
				continue
			}
			for _, a := range r.actions(row.EventSource, row.EventName, row.RequestParams) {
				add(res, acct, a, row.Succeeded(), row.Denied, row.FirstSeen, row.LastSeen)
			}
		}
		return nil
	}
	if r.in.Events == nil {
		return nil
	}
	err := r.in.Events(func(a *usage.Activity) error {
		acct := outside(a.Principal, a.PrincipalAccount)
		if acct == "" {
			return nil
		}
		for _, s := range a.Resources {
			res := owner(s)
			if res == "" {
				continue
			}
			var ok, denied int64 = 1, 0
			if a.ErrorCode != "" {
				ok = 0
				if a.Denied() {
					denied = 1
				}
			}
			t := a.Time.UTC()
			for _, act := range r.actions(a.EventSource, a.EventName, strings.Join(a.RequestParams, ",")) {
				add(res, acct, act, ok, denied, t, t)
			}
			break
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("review: read activity log: %w", err)
	}
	return nil
}

// resourceName names a resource for people: the bucket, the key id, the
// queue.
func resourceName(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) < 6 {
		return arn
	}
	res := f[5]
	if i := strings.LastIndexAny(res, "/:"); i >= 0 && i < len(res)-1 {
		return res[i+1:]
	}
	return res
}

// policyLabel describes a resource's policy: "bucket policy", "key policy",
// "KMS grants", "sharing attributes".
func policyLabel(res *account.Resource) string {
	switch res.Via {
	case account.ViaShare:
		return "sharing attributes"
	case account.ViaGrant:
		return "KMS grants"
	}
	switch res.Type {
	case "AWS::S3::Bucket":
		return "bucket policy"
	case "AWS::KMS::Key":
		return "key policy"
	case "AWS::SQS::Queue":
		return "queue policy"
	case "AWS::SNS::Topic":
		return "topic policy"
	case "AWS::Lambda::Function", "AWS::Lambda::LayerVersion":
		return "permissions"
	}
	return "resource policy"
}

// reviewResources reviews every resource policy, share and grant of
// in.Resources.
func (r *reviewer) reviewResources() {
	for i := range r.in.Resources {
		if r.ctx.Err() != nil {
			return
		}
		res := &r.in.Resources[i]
		p, err := policy.ParseAs(res.Policy, policy.KindResource)
		if err != nil {
			r.note(fmt.Sprintf("The %s of %s does not parse (%v): it was not reviewed.", policyLabel(res), res.ARN, err))
			continue
		}
		p.Name = policyLabel(res)
		doors := r.resourceDoors(res, p)
		if len(doors) == 0 {
			continue
		}
		name := resourceName(res.ARN)
		pr := r.principal(res.ARN, KindResource, name)
		pr.ResourceType = res.Type
		admits := "admits"
		if strings.HasSuffix(p.Name, "s") {
			admits = "admit" // "KMS grants", "sharing attributes", "permissions"
		}
		for _, d := range doors {
			party := r.doorParty(res, d)
			pr.ThirdParty = pr.ThirdParty || d.kind != doorService
			pr.Parties = append(pr.Parties, party)
			pr.LastUsed = later(pr.LastUsed, party.LastActivity)
			switch d.kind {
			case doorAnyone:
				pr.reason(fmt.Sprintf("%s %s anyone", p.Name, admits))
			case doorAccount:
				pr.reason(fmt.Sprintf("%s %s account %s", p.Name, admits, party.label()))
			default:
				pr.reason(fmt.Sprintf("%s %s %s", p.Name, admits, serviceLabel(d.key)))
			}
			if f := r.doorFinding(res, p, d, party); f != nil {
				pr.add(f)
			}
		}
	}
}

func serviceLabel(key string) string {
	if key == "*" {
		return "any AWS service"
	}
	return key
}

// doorParty describes the party of a door, with what the logs show of it.
func (r *reviewer) doorParty(res *account.Resource, d *door) *Party {
	var p *Party
	switch d.kind {
	case doorAnyone:
		p = &Party{Kind: PartyAnyone}
	case doorService:
		p = &Party{Kind: PartyService, Vendor: serviceLabel(d.key)}
	default:
		p = r.party(d.key)
	}
	p.Trusted = true
	p.Principals = slices.Clone(d.principals)
	slices.Sort(p.Principals)
	p.ExternalID = false
	uses := r.resUse[res.ARN]
	switch d.kind {
	case doorAccount:
		if u := uses[d.key]; u != nil {
			p.Calls, p.DeniedCalls = u.calls, u.denied
			p.FirstActivity, p.LastActivity = u.first, u.last
		}
	case doorAnyone:
		for _, u := range uses {
			p.Calls += u.calls
			p.DeniedCalls += u.denied
			p.FirstActivity = earlier(p.FirstActivity, u.first)
			p.LastActivity = later(p.LastActivity, u.last)
		}
	}
	return p
}

// doorFinding returns the finding of a door.
func (r *reviewer) doorFinding(res *account.Resource, p *policy.Policy, d *door, party *Party) *Finding {
	logs := r.facts.usage || r.facts.events
	shares := res.Via == account.ViaShare
	narrowedOnly := len(d.open) == 0
	var keys []string
	for _, ks := range d.narrowed {
		for _, k := range ks {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	var rule string
	var sev Severity
	var summary string
	actions := r.doorActions(res, p, d)
	lets := "lets"
	if strings.HasSuffix(p.Name, "s") {
		lets = "let" // "KMS grants", "sharing attributes", "permissions"
	}
	switch d.kind {
	case doorAnyone:
		rule = RuleResourcePublic
		if shares {
			rule = RuleSnapshotPublic
		}
		sev = SeverityCritical
		summary = fmt.Sprintf("The %s of %s %s any principal of any AWS account (and, where the service allows it, anonymous callers) call %s.", p.Name, res.ARN, lets, actionSummary(d))
		if narrowedOnly {
			sev = SeverityMedium
			if !slices.ContainsFunc(keys, func(k string) bool { return !strings.Contains(strings.ToLower(k), "vpc") }) {
				sev = SeverityLow
			}
			summary = fmt.Sprintf("The %s of %s %s any AWS account call %s when conditions on %s hold.", p.Name, res.ARN, lets, actionSummary(d), strings.Join(keys, ", "))
		}
	case doorAccount:
		rule = RuleResourceOutside
		if res.Via == account.ViaGrant {
			rule = RuleKMSGrantOutside
		}
		sev = r.accessSeverity(d, shares)
		summary = fmt.Sprintf("The %s of %s %s account %s call %s.", p.Name, res.ARN, lets, party.label(), actionSummary(d))
		if narrowedOnly {
			summary = fmt.Sprintf("The %s of %s %s account %s call %s when conditions on %s hold.", p.Name, res.ARN, lets, party.label(), actionSummary(d), strings.Join(keys, ", "))
		}
	default:
		rule = RuleServiceNoSource
		sev = SeverityMedium
		for _, a := range d.open {
			if ca, ok := r.cat.Action(a); !ok || ca.Level.Has(catalog.Write) || ca.Level.Has(catalog.PermissionsManagement) {
				sev = SeverityHigh
			}
		}
		if narrowedOnly {
			sev = SeverityLow
		}
		who := d.key
		if who == "*" {
			who = "an AWS service"
		}
		summary = fmt.Sprintf("The %s of %s %s %s call %s for any account's resources: no aws:SourceAccount, aws:SourceArn or aws:SourceOrgID condition ties it to yours.", p.Name, res.ARN, lets, who, actionSummary(d))
	}
	disc := d.kind + "|" + d.key + "|" + res.Via
	f := newFinding(rule, res.ARN, disc, sev, ruleTitle(rule))
	if d.kind == doorAccount {
		f.Account, f.Vendor = party.Account, party.Vendor
	}
	f.Evidence = Evidence{Summary: summary, Statement: r.statementRef(p.Name, p, d.stmts[0])}
	f.Evidence.fact("resource type", res.Type)
	f.Evidence.fact("principal", strings.Join(party.Principals, ", "))
	if len(keys) > 0 {
		f.Evidence.fact("narrowed by", strings.Join(keys, ", ")+" (the review cannot tell whether a request meets them)")
	}
	if len(d.closedBy) > 0 {
		var names []string
		for _, i := range d.closedBy {
			names = append(names, statementName(p, i))
		}
		f.Evidence.fact("closed by", strings.Join(names, "; ")+" (denies the other actions granted)")
	}
	switch {
	case d.kind != doorService && logs:
		r.resourceUseFacts(&f.Evidence, res, d)
	case d.kind != doorService:
		f.Evidence.fact("usage", "unknown: no usage index or activity log")
	}
	if len(actions) > 25 {
		f.Evidence.fact("listed", fmt.Sprintf("the first 25 of %d actions", len(actions)))
		actions = actions[:25]
	}
	f.Evidence.Actions = actions
	f.Remedy = r.doorRemedy(res, p, d, party)
	return f
}

// accessSeverity grades what an outside account may do: high when it can
// change who has access (permissions management) or copy the whole of a
// shared disk or database, medium when it can read data or write, low
// when it can only list.
func (r *reviewer) accessSeverity(d *door, shares bool) Severity {
	if shares {
		return SeverityHigh
	}
	sev := SeverityLow
	all := append(slices.Clone(d.open), keysOf(d.narrowed)...)
	for _, a := range all {
		ca, ok := r.cat.Action(a)
		switch {
		case !ok || ca.Level.Has(catalog.PermissionsManagement):
			sev = SeverityHigh
		case ca.Level.Has(catalog.Write) || ca.Level.Has(catalog.Read):
			sev = max(sev, SeverityMedium)
		}
	}
	if len(d.open) == 0 && sev > SeverityLow {
		sev--
	}
	return sev
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// actionSummary lists a door's actions for a sentence.
func actionSummary(d *door) string {
	all := append(slices.Clone(d.open), keysOf(d.narrowed)...)
	slices.Sort(all)
	if len(all) > 6 {
		return fmt.Sprintf("%s and %d more actions", strings.Join(all[:5], ", "), len(all)-5)
	}
	return strings.Join(all, ", ")
}

// doorActions lists a door's actions with what the logs show: the used
// ones first.
func (r *reviewer) doorActions(res *account.Resource, p *policy.Policy, d *door) []ActionUse {
	uses := r.resUse[res.ARN]
	var out []ActionUse
	add := func(a string, conditional bool) {
		u := ActionUse{Action: a, Conditional: conditional, GrantedBy: statementName(p, d.stmts[0])}
		for _, i := range d.stmts {
			if slices.ContainsFunc(policy.StatementActions(r.cat, &p.Statements[i]), func(x string) bool { return strings.EqualFold(x, a) }) {
				u.GrantedBy = statementName(p, i)
				break
			}
		}
		for acct, use := range uses {
			if d.kind == doorAccount && acct != d.key {
				continue
			}
			if s := use.actions[a]; s != nil && s.calls > 0 {
				u.Used = true
				u.Calls += s.calls
				u.LastUsed = later(u.LastUsed, s.last)
			}
		}
		out = append(out, u)
	}
	for _, a := range d.open {
		add(a, false)
	}
	for _, a := range keysOf(d.narrowed) {
		add(a, true)
	}
	slices.SortStableFunc(out, func(a, b ActionUse) int {
		return cmp.Or(boolCmp(a.Used, b.Used), strings.Compare(a.Action, b.Action))
	})
	return out
}

// resourceUseFacts adds what the logs show of outside accounts using the
// resource: for an account's door its calls and first use, for anyone's
// each outside account seen with its first use.
func (r *reviewer) resourceUseFacts(e *Evidence, res *account.Resource, d *door) {
	uses := r.resUse[res.ARN]
	if d.kind == doorAccount {
		u := uses[d.key]
		if u == nil || (u.calls == 0 && u.denied == 0) {
			e.fact("calls from the account", "none in the window "+dayString(r.facts.since)+" to "+dayString(r.facts.until))
			return
		}
		e.fact("calls from the account", fmt.Sprintf("%d in the window (%d refused)", u.calls, u.denied))
		e.factTime("first used", u.first)
		e.factTime("last used", u.last)
		return
	}
	accts := keysOf(uses)
	if len(accts) == 0 {
		e.fact("used by", "no outside account in the window "+dayString(r.facts.since)+" to "+dayString(r.facts.until))
		return
	}
	var parts []string
	for _, a := range accts {
		u := uses[a]
		label := a
		if v, ok := r.in.Vendors.Lookup(a); ok {
			label += " (" + v.Name + ")"
		}
		parts = append(parts, fmt.Sprintf("%s: %d calls, first %s", label, u.calls, u.first.UTC().Format(time.RFC3339)))
	}
	e.fact("used by", strings.Join(parts, "; "))
}
