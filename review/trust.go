package review

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/policy"
)

// Placeholders remedies put where a value must be filled in.
const (
	placeholderExternalID    = "<EXTERNAL-ID-FROM-VENDOR>"
	placeholderNewExternalID = "<NEW-EXTERNAL-ID-FROM-VENDOR>"
	placeholderKeptID        = "<EXISTING-EXTERNAL-ID>"
	placeholderVendorAccount = "arn:aws:iam::<VENDOR-ACCOUNT-ID>:root"
)

// narrowingKeys are condition keys that limit who "*" admits.
var narrowingKeys = []string{
	"aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn",
	"aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:userid",
}

// roleTrust is what a role's trust policy lets in from outside.
type roleTrust struct {
	role    *account.Role
	policy  *policy.Policy
	parties map[string]*partyTrust // by account; "*" for anyone
	oidc    []policy.Trustee       // web identity trust without a subject condition
}

// partyTrust is how one outside party gets in.
type partyTrust struct {
	party    *Party
	trustees []policy.Trustee
	// missing are the trustees whose statement requires no ExternalId,
	// with why a condition on it does not count.
	missing []policy.Trustee
	notes   []string
	// weak maps a masked ExternalId to why it is weak.
	weak  map[string][]string
	whole bool // admitted as a whole account
	// narrowed lists the conditions that limit an anyone trustee.
	narrowed []string
	org      bool // likely the owner's organization management account
}

// extIDState is whether a trustee's statement requires an ExternalId.
type extIDState struct {
	required bool
	values   []string // secrets: never output
	like     bool
	why      string
}

func externalIDState(t *policy.Trustee) extIDState {
	var st extIDState
	for _, c := range t.Conditions {
		if !strings.EqualFold(c.Key, "sts:ExternalId") {
			continue
		}
		op := c.Operator
		base := op
		if i := strings.LastIndex(op, ":"); i >= 0 {
			base = op[i+1:]
		}
		switch {
		case strings.HasPrefix(base, "Null"):
			st.why = "its Null condition only requires that some ExternalId be sent"
		case strings.Contains(base, "Not"):
			st.why = "its " + op + " condition excludes values instead of requiring one"
		case strings.HasSuffix(base, "IfExists"):
			st.why = "its " + op + " condition passes when the caller sends no ExternalId"
		case strings.HasPrefix(base, "String"):
			st.required = true
			st.values = append(st.values, c.Values...)
			if strings.Contains(base, "Like") {
				st.like = true
			}
		default:
			st.why = "its " + op + " condition does not compare strings"
		}
	}
	return st
}

// admitsAssume reports whether a trustee's statement allows sts:AssumeRole.
func admitsAssume(t *policy.Trustee) bool {
	const a = "sts:AssumeRole"
	if t.NotActions != nil {
		for _, p := range t.NotActions {
			if catalog.Matches(p, a) {
				return false
			}
		}
		return true
	}
	for _, p := range t.Actions {
		if catalog.Matches(p, a) {
			return true
		}
	}
	return false
}

// placeholderValues are ExternalIds that are someone's example, not a
// secret.
var placeholderValues = []string{"externalid", "external-id", "external_id", "changeme", "change-me", "default", "test",
	"secret", "password", "example", "replaceme", "replace-me", "placeholder", "none", "null", "12345", "123456"}

// weakReasons says why an ExternalId value is weak, or nothing.
func weakReasons(v string, like bool, roleName string) []string {
	var why []string
	low := strings.ToLower(v)
	if strings.Contains(v, "${") || strings.Contains(v, "{{") || strings.HasPrefix(strings.ToUpper(v), "REPLACE") {
		why = append(why, "an unfilled template placeholder")
	}
	if slices.Contains(placeholderValues, low) {
		why = append(why, "a common placeholder")
	}
	if n := len([]rune(v)); n < 12 {
		why = append(why, fmt.Sprintf("only %d characters long", n))
	}
	if tailor.IsAccountID(v) {
		why = append(why, "an AWS account id")
	}
	if roleName != "" && strings.EqualFold(v, roleName) {
		why = append(why, "the role's name")
	}
	distinct := map[rune]bool{}
	for _, c := range low {
		distinct[c] = true
	}
	if len(v) >= 12 && len(distinct) < 5 {
		why = append(why, "repetitive")
	}
	if like && strings.ContainsAny(v, "*?") {
		why = append(why, "a StringLike pattern with wildcards")
	}
	return why
}

// isOrgTrust tells trust of a role that AWS Organizations or
// CloudFormation StackSets set up for the organization's management
// account.
func isOrgTrust(role *account.Role, t *policy.Trustee) bool {
	switch {
	case role.RoleName == "OrganizationAccountAccessRole", role.RoleName == "AWSControlTowerExecution",
		strings.HasPrefix(role.RoleName, "stacksets-exec-"):
		return true
	case strings.Contains(t.Principal, "AWSServiceRoleForCloudFormationStackSetsOrgAdmin"),
		strings.HasSuffix(t.Principal, ":role/AWSCloudFormationStackSetAdministrationRole"):
		return true
	}
	return false
}

// oidcHost returns the host of a web identity provider trustee, or "".
func oidcHost(principal string) string {
	if strings.HasPrefix(principal, "arn:") {
		_, host, ok := strings.Cut(principal, ":oidc-provider/")
		if !ok {
			return ""
		}
		return host
	}
	if strings.Contains(principal, ".") && !strings.Contains(principal, ":") {
		return principal // accounts.google.com, cognito-identity.amazonaws.com
	}
	return ""
}

// oidcMissingSubject reports whether a web identity trustee lacks the
// condition that says which identity of the provider may assume.
func oidcMissingSubject(t *policy.Trustee, host string) bool {
	key := host + ":sub"
	if host == "cognito-identity.amazonaws.com" {
		key = host + ":aud"
	}
	for _, c := range t.Conditions {
		if !strings.EqualFold(c.Key, key) || strings.Contains(c.Operator, "Not") || strings.HasSuffix(c.Operator, "IfExists") ||
			strings.HasPrefix(c.Operator, "Null") {
			continue
		}
		for _, v := range c.Values {
			if strings.Trim(v, "*?") != "" && !strings.HasSuffix(strings.TrimRight(v, "*"), ":") {
				return false
			}
		}
	}
	return true
}

// analyzeTrust reads a role's trust policy. It returns nil when the role
// admits no one from outside.
func (r *reviewer) analyzeTrust(role *account.Role) *roleTrust {
	if len(role.AssumeRolePolicyDocument) == 0 {
		return nil
	}
	p, err := policy.ParseAs(role.AssumeRolePolicyDocument, policy.KindTrust)
	if err != nil {
		r.note(fmt.Sprintf("Trust policy of %s does not parse (%v): the role was not reviewed.", role.ARN, err))
		return nil
	}
	rt := &roleTrust{role: role, policy: p, parties: map[string]*partyTrust{}}
	own := make([]string, 0, len(r.own))
	for a := range r.own {
		own = append(own, a)
	}
	for _, t := range policy.Trustees(p) {
		if !admitsAssume(&t) && t.Kind != policy.TrustFederated {
			continue
		}
		switch t.Kind {
		case policy.TrustFederated:
			if host := oidcHost(t.Principal); host != "" && oidcMissingSubject(&t, host) {
				rt.oidc = append(rt.oidc, t)
			}
			continue
		case policy.TrustAnyone:
			narrowed, internal := r.narrowing(&t)
			if internal {
				continue
			}
			pt := rt.partyFor("*", func() *Party { return &Party{Kind: PartyAnyone, Trusted: true} })
			pt.narrowed = append(pt.narrowed, narrowed...)
			pt.add(t)
			continue
		}
		if !t.External(own) {
			continue
		}
		pt := rt.partyFor(t.Account, func() *Party { p := r.party(t.Account); p.Trusted = true; return p })
		if t.Kind == policy.TrustAccount {
			pt.whole = true
		}
		if isOrgTrust(role, &t) && pt.party.Kind == PartyUnknown {
			pt.org = true
			pt.party.Kind = PartyOrganization
		}
		pt.add(t)
	}
	if len(rt.parties) == 0 && len(rt.oidc) == 0 {
		return nil
	}
	for _, pt := range rt.parties {
		pt.party.ExternalID = len(pt.missing) == 0
		slices.Sort(pt.party.Principals)
		pt.party.Principals = slices.Compact(pt.party.Principals)
	}
	return rt
}

func (rt *roleTrust) partyFor(key string, mk func() *Party) *partyTrust {
	pt := rt.parties[key]
	if pt == nil {
		pt = &partyTrust{party: mk(), weak: map[string][]string{}}
		rt.parties[key] = pt
	}
	return pt
}

func (pt *partyTrust) add(t policy.Trustee) {
	pt.trustees = append(pt.trustees, t)
	pt.party.Principals = append(pt.party.Principals, t.Principal)
	st := externalIDState(&t)
	if !st.required {
		pt.missing = append(pt.missing, t)
		if st.why != "" && !slices.Contains(pt.notes, st.why) {
			pt.notes = append(pt.notes, st.why)
		}
	}
}

// narrowing reads the conditions of an anyone trustee: which keys narrow
// it, and whether they limit it to the owner's accounts.
func (r *reviewer) narrowing(t *policy.Trustee) (keys []string, internal bool) {
	for _, c := range t.Conditions {
		for _, k := range narrowingKeys {
			if !strings.EqualFold(c.Key, k) || strings.Contains(c.Operator, "Not") || strings.HasSuffix(c.Operator, "IfExists") {
				continue
			}
			keys = append(keys, c.Operator+" "+c.Key)
			if strings.EqualFold(k, "aws:PrincipalAccount") || strings.EqualFold(k, "aws:SourceAccount") || strings.EqualFold(k, "aws:PrincipalArn") {
				all := len(c.Values) > 0
				for _, v := range c.Values {
					a := v
					if strings.HasPrefix(v, "arn:") {
						a = tailor.ARNAccount(v)
					}
					if !r.own[a] {
						all = false
					}
				}
				if all {
					internal = true
				}
			}
		}
	}
	return keys, internal
}

// sharedExternalIDs maps the fingerprint of every required ExternalId to
// the outside accounts whose trust requires it.
func (r *reviewer) sharedExternalIDs(trusts []*roleTrust) map[string][]string {
	m := map[string][]string{}
	for _, rt := range trusts {
		for key, pt := range rt.parties {
			for _, t := range pt.trustees {
				for _, v := range externalIDState(&t).values {
					fp := Mask(v).Fingerprint
					if !slices.Contains(m[fp], key) {
						m[fp] = append(m[fp], key)
					}
				}
			}
		}
	}
	return m
}

// trustFindings returns the findings about a role's trust.
func (r *reviewer) trustFindings(rt *roleTrust, shared map[string][]string) []*Finding {
	role := rt.role
	var out []*Finding
	corrected := r.correctedTrust(rt)
	keys := make([]string, 0, len(rt.parties))
	for k := range rt.parties {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		pt := rt.parties[key]
		party := pt.party
		// Weak ExternalIds.
		for _, t := range pt.trustees {
			st := externalIDState(&t)
			for _, v := range st.values {
				why := weakReasons(v, st.like, role.RoleName)
				m := Mask(v)
				if others := shared[m.Fingerprint]; len(others) > 1 {
					var names []string
					for _, o := range others {
						if o != key {
							names = append(names, o)
						}
					}
					why = append(why, "also required of "+strings.Join(names, ", "))
				}
				if len(why) > 0 {
					pt.weak[m.String()] = why
				}
			}
		}
		stmt := r.statementRef("trust policy", rt.policy, pt.trustees[0].Statement)
		withAssumptions := func(e *Evidence) {
			r.assumptionFacts(e, role.ARN, party)
		}
		cap := func(s Severity) Severity {
			if pt.org && s > SeverityLow {
				return SeverityLow
			}
			return s
		}
		if party.Kind == PartyAnyone {
			sev := SeverityCritical
			summary := `The trust policy lets any principal of any AWS account assume the role`
			if len(pt.missing) == 0 {
				sev = SeverityHigh
				summary += `, given the ExternalId`
			}
			if len(pt.narrowed) > 0 {
				sev = SeverityMedium
				summary += ", narrowed by " + strings.Join(pt.narrowed, ", ")
			}
			f := newFinding(RuleTrustOpen, role.ARN, "*", sev, ruleTitle(RuleTrustOpen))
			f.Evidence = Evidence{Summary: summary + ".", Statement: stmt}
			f.Evidence.fact("principal", pt.trustees[0].Principal)
			withAssumptions(&f.Evidence)
			f.Remedy = r.trustRemedy(role, corrected, "Name the account or role that needs the access instead of \"*\" and require its ExternalId.")
			out = append(out, f)
			continue
		}
		if len(pt.missing) > 0 {
			t := pt.missing[0]
			f := newFinding(RuleTrustNoExternalID, role.ARN, party.Account, cap(SeverityHigh), ruleTitle(RuleTrustNoExternalID))
			f.Account, f.Vendor = party.Account, party.Vendor
			f.Evidence = Evidence{
				Summary:   fmt.Sprintf("Account %s may assume the role without an ExternalId.", party.label()),
				Statement: r.statementRef("trust policy", rt.policy, t.Statement),
			}
			f.Evidence.fact("principal", t.Principal)
			for _, n := range pt.notes {
				f.Evidence.fact("note", "the statement has an sts:ExternalId condition, but "+n)
			}
			r.orgFact(&f.Evidence, pt)
			withAssumptions(&f.Evidence)
			f.Remedy = r.trustRemedy(role, corrected,
				"Require the ExternalId the vendor issued for this account; its console or onboarding page shows it.")
			out = append(out, f)
		}
		if len(pt.weak) > 0 {
			f := newFinding(RuleTrustWeakExtID, role.ARN, party.Account, cap(SeverityMedium), ruleTitle(RuleTrustWeakExtID))
			f.Account, f.Vendor = party.Account, party.Vendor
			masks := make([]string, 0, len(pt.weak))
			for m := range pt.weak {
				masks = append(masks, m)
			}
			slices.Sort(masks)
			f.Evidence = Evidence{Summary: fmt.Sprintf("The ExternalId required of %s is weak: %s.", party.label(), strings.Join(pt.weak[masks[0]], ", ")), Statement: stmt}
			for _, m := range masks {
				f.Evidence.fact("external id", m+": "+strings.Join(pt.weak[m], ", "))
			}
			r.orgFact(&f.Evidence, pt)
			f.Remedy = r.trustRemedy(role, corrected, "Ask the vendor for a new, long, random ExternalId and require it.")
			out = append(out, f)
		}
		if pt.whole {
			sev := SeverityLow
			if len(pt.missing) > 0 || len(pt.weak) > 0 {
				sev = SeverityMedium
			}
			f := newFinding(RuleTrustWholeAccount, role.ARN, party.Account, cap(sev), ruleTitle(RuleTrustWholeAccount))
			f.Account, f.Vendor = party.Account, party.Vendor
			var whole policy.Trustee
			for _, t := range pt.trustees {
				if t.Kind == policy.TrustAccount {
					whole = t
					break
				}
			}
			f.Evidence = Evidence{
				Summary:   fmt.Sprintf("Any principal of account %s that its own policies allow may assume the role.", party.label()),
				Statement: r.statementRef("trust policy", rt.policy, whole.Statement),
			}
			f.Evidence.fact("principal", whole.Principal)
			r.orgFact(&f.Evidence, pt)
			withAssumptions(&f.Evidence)
			callers := r.namedCallers(role.ARN, party.Account)
			summary := "Name the vendor's role that assumes this one instead of the whole account, if the vendor supports it."
			if len(callers) > 0 {
				summary = fmt.Sprintf("Only %s assumed the role in the window: trust %s instead of the whole account.", strings.Join(callers, ", "), plural(len(callers), "it", "them"))
			}
			f.Remedy = r.trustRemedy(role, corrected, summary)
			out = append(out, f)
		}
	}
	for i, t := range rt.oidc {
		host := oidcHost(t.Principal)
		sev := SeverityHigh
		if host == "token.actions.githubusercontent.com" {
			sev = SeverityCritical
		}
		f := newFinding(RuleTrustOIDCNoSubject, role.ARN, fmt.Sprintf("%s#%d", host, i), sev, ruleTitle(RuleTrustOIDCNoSubject))
		f.Evidence = Evidence{
			Summary:   fmt.Sprintf("Any identity %s issues tokens for may assume the role: the trust has no condition on %s:sub.", host, host),
			Statement: r.statementRef("trust policy", rt.policy, t.Statement),
		}
		f.Evidence.fact("provider", t.Principal)
		f.Remedy = Remedy{
			Summary:  fmt.Sprintf(`Add a condition on "%s:sub" naming the identity that needs the role (for GitHub Actions: "repo:<ORG>/<REPO>:ref:refs/heads/<BRANCH>").`, host),
			Commands: []string{fmt.Sprintf("aws iam update-assume-role-policy --role-name %s --policy-document file://trust-policy.json", role.RoleName)},
		}
		out = append(out, f)
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (r *reviewer) orgFact(e *Evidence, pt *partyTrust) {
	if pt.org {
		e.fact("note", fmt.Sprintf("the role looks set up for the organization's management account: if %s is yours, pass it to --own-accounts", pt.party.Account))
	}
}

// namedCallers returns the principals of an outside account that assumed
// a role, when they are roles or users rather than the account's root.
func (r *reviewer) namedCallers(role, acct string) []string {
	s := r.facts.assume[role][acct]
	if s == nil {
		return nil
	}
	var out []string
	for c := range s.callers {
		if strings.HasSuffix(c, ":root") || tailor.ARNAccount(c) != acct {
			return nil
		}
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// assumptionFacts adds what the logs say about a party assuming a role.
func (r *reviewer) assumptionFacts(e *Evidence, role string, party *Party) {
	if !r.facts.usage && !r.facts.events {
		return
	}
	if party.Kind == PartyAnyone {
		var accts []string
		for a, s := range r.facts.assume[role] {
			if s.calls > 0 || s.sessions > 0 {
				accts = append(accts, a)
			}
		}
		slices.Sort(accts)
		if len(accts) == 0 {
			e.fact("assumed by", "no outside account in the window")
		} else {
			e.fact("assumed by", strings.Join(accts, ", "))
		}
		return
	}
	s := r.facts.assume[role][party.Account]
	if s == nil || (s.calls == 0 && s.sessions == 0) {
		e.fact("assumptions", "none in the window")
		return
	}
	n := max(s.calls, s.sessions)
	e.fact("assumptions", fmt.Sprintf("%d in the window", n))
	e.factTime("last assumed", later(s.last, s.lastSes))
	if r.facts.events && s.calls > 0 {
		e.fact("with ExternalId", fmt.Sprintf("%d of %d", s.withExternalID, s.calls))
	}
}

// trustRemedy builds the remedy of a trust finding.
func (r *reviewer) trustRemedy(role *account.Role, corrected json.RawMessage, summary string) Remedy {
	return Remedy{
		Summary:     summary,
		TrustPolicy: corrected,
		Steps: []string{
			"Fill in the placeholders in angle brackets of the trust policy below and save it as trust-policy.json.",
			"Apply it, then check that the vendor's integration still works.",
		},
		Commands: []string{fmt.Sprintf("aws iam update-assume-role-policy --role-name %s --policy-document file://trust-policy.json", role.RoleName)},
	}
}

// correctedTrust returns the role's trust policy with every problem of its
// outside trust fixed: "*" replaced by the accounts seen (or a
// placeholder), whole accounts narrowed to the principals seen, an
// ExternalId required wherever an outside party is admitted, and every
// ExternalId value replaced by a placeholder.
func (r *reviewer) correctedTrust(rt *roleTrust) json.RawMessage {
	p := clonePolicy(rt.policy)
	role := rt.role.ARN
	seen := r.facts.assume[role]
	weakStmt := map[int]bool{}
	for _, pt := range rt.parties {
		if len(pt.weak) > 0 {
			for _, t := range pt.trustees {
				weakStmt[t.Statement] = true
			}
		}
	}
	for i := range p.Statements {
		st := &p.Statements[i]
		if st.Effect != policy.Allow || (st.Principal == nil && st.NotPrincipal == nil) {
			continue
		}
		external := false
		if st.NotPrincipal != nil || st.Principal.All || slices.Contains(st.Principal.AWS, "*") {
			var names []string
			for acct, s := range seen {
				if s.calls == 0 && s.sessions == 0 {
					continue
				}
				if callers := r.namedCallers(role, acct); len(callers) > 0 {
					names = append(names, callers...)
				} else {
					names = append(names, "arn:aws:iam::"+acct+":root")
				}
			}
			if len(names) == 0 {
				names = []string{placeholderVendorAccount}
			}
			slices.Sort(names)
			keep := &policy.Principal{}
			if st.Principal != nil && !st.Principal.All {
				*keep = *st.Principal
				keep.AWS = slices.DeleteFunc(slices.Clone(keep.AWS), func(v string) bool { return v == "*" })
			}
			keep.AWS = append(keep.AWS, names...)
			st.Principal, st.NotPrincipal = keep, nil
			external = true
		} else {
			for j, v := range st.Principal.AWS {
				acct := v
				if strings.HasPrefix(v, "arn:") {
					acct = tailor.ARNAccount(v)
				}
				if acct == "" || r.own[acct] {
					continue
				}
				external = true
				if tailor.IsAccountID(v) || strings.HasSuffix(v, ":root") {
					if callers := r.namedCallers(role, acct); len(callers) > 0 {
						st.Principal.AWS[j] = callers[0]
						st.Principal.AWS = append(st.Principal.AWS, callers[1:]...)
					}
				}
			}
			if external {
				st.Principal.AWS = slices.Compact(st.Principal.AWS)
			}
		}
		hasRequired := false
		for k := range st.Condition {
			c := &st.Condition[k]
			if !strings.EqualFold(c.Key, "sts:ExternalId") {
				continue
			}
			t := policy.Trustee{Conditions: []policy.Clause{*c}}
			if externalIDState(&t).required {
				hasRequired = true
			}
			for n := range c.Values {
				if weakStmt[i] {
					c.Values[n] = placeholderNewExternalID
				} else {
					c.Values[n] = placeholderKeptID
				}
			}
		}
		if external && !hasRequired {
			st.Condition = slices.DeleteFunc(st.Condition, func(c policy.Clause) bool { return strings.EqualFold(c.Key, "sts:ExternalId") })
			st.Condition = append(st.Condition, policy.Clause{Operator: "StringEquals", Key: "sts:ExternalId", Values: []string{placeholderExternalID}})
		}
	}
	b, err := p.MarshalIndent("", "  ")
	if err != nil {
		r.note(fmt.Sprintf("The corrected trust policy of %s could not be written: %v.", role, err))
		return nil
	}
	return b
}

// statementRef describes statement i of p, with ExternalId values masked.
func (r *reviewer) statementRef(name string, p *policy.Policy, i int) *StatementRef {
	if i < 0 || i >= len(p.Statements) {
		return nil
	}
	ref := &StatementRef{Policy: name, Index: i, Sid: p.Statements[i].Sid}
	one := &policy.Policy{Version: p.Version, Statements: []policy.Statement{cloneStatement(p.Statements[i])}}
	st := &one.Statements[0]
	for k := range st.Condition {
		if strings.EqualFold(st.Condition[k].Key, "sts:ExternalId") {
			for n, v := range st.Condition[k].Values {
				st.Condition[k].Values[n] = "<masked: " + Mask(v).String() + ">"
			}
		}
	}
	b, err := one.MarshalJSON()
	if err != nil {
		return ref
	}
	var doc struct {
		Statement []json.RawMessage
	}
	if json.Unmarshal(b, &doc) == nil && len(doc.Statement) == 1 {
		ref.Document = doc.Statement[0]
	}
	return ref
}

func clonePolicy(p *policy.Policy) *policy.Policy {
	c := &policy.Policy{Version: p.Version, ID: p.ID, Name: p.Name}
	for _, st := range p.Statements {
		c.Statements = append(c.Statements, cloneStatement(st))
	}
	return c
}

func cloneStatement(st policy.Statement) policy.Statement {
	c := st
	clonePrincipal := func(p *policy.Principal) *policy.Principal {
		if p == nil {
			return nil
		}
		q := *p
		q.AWS = slices.Clone(p.AWS)
		q.Service = slices.Clone(p.Service)
		q.Federated = slices.Clone(p.Federated)
		q.CanonicalUser = slices.Clone(p.CanonicalUser)
		return &q
	}
	c.Principal = clonePrincipal(st.Principal)
	c.NotPrincipal = clonePrincipal(st.NotPrincipal)
	c.Action = slices.Clone(st.Action)
	c.NotAction = slices.Clone(st.NotAction)
	c.Resource = slices.Clone(st.Resource)
	c.NotResource = slices.Clone(st.NotResource)
	c.Condition = nil
	for _, cl := range st.Condition {
		c.Condition = append(c.Condition, policy.Clause{Operator: cl.Operator, Key: cl.Key, Values: slices.Clone(cl.Values)})
	}
	return c
}
