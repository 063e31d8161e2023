package review

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tailor-sec/tailor/account"
)

// reviewRoles reviews every role whose trust admits an outside party.
func (r *reviewer) reviewRoles() {
	snap := r.in.Snapshot
	var trusts []*roleTrust
	lastUsedKnown := false
	for _, role := range snap.Roles() {
		if role.RoleLastUsed != nil {
			lastUsedKnown = true
		}
		if role.ServiceLinked() {
			continue
		}
		if rt := r.analyzeTrust(role); rt != nil {
			trusts = append(trusts, rt)
		}
	}
	if !lastUsedKnown && len(snap.Roles()) > 0 {
		r.note("No role in the IAM snapshot has a RoleLastUsed record (an old export, or one made without it): whether a role was ever used is judged from the logs only.")
	}
	shared := r.sharedExternalIDs(trusts)
	for _, rt := range trusts {
		if r.ctx.Err() != nil {
			return
		}
		role := rt.role
		p := r.principal(role.ARN, KindRole, role.RoleName)
		p.ThirdParty = true
		for _, pt := range rt.parties {
			r.fillParty(pt.party, role.ARN)
			p.Parties = append(p.Parties, pt.party)
			switch pt.party.Kind {
			case PartyAnyone:
				p.reason("trust admits anyone")
			default:
				p.reason("trust admits account " + pt.party.label())
			}
		}
		for _, t := range rt.oidc {
			host := oidcHost(t.Principal)
			p.Parties = append(p.Parties, &Party{Kind: PartyProvider, Vendor: host, Principals: []string{t.Principal}, Trusted: true})
			p.reason("trust admits any identity of " + host)
		}
		for _, f := range r.trustFindings(rt, shared) {
			p.add(f)
		}
		r.roleUse(p, rt, lastUsedKnown)
		r.roleChanges(p, rt)
		r.privileges(p, account.Principal{Kind: account.KindRole, Role: role})
		r.escalations(p, account.Principal{Kind: account.KindRole, Role: role})
		if orgOnly(p) {
			// Only the organization's management account can get in: the
			// role is the organization's own, set up by design.
			for _, f := range p.Findings {
				f.Severity = min(f.Severity, SeverityLow)
			}
		}
	}
}

// orgOnly reports whether every party of a principal is likely the
// owner's organization management account.
func orgOnly(p *Principal) bool {
	if len(p.Parties) == 0 {
		return false
	}
	for _, pt := range p.Parties {
		if pt.Kind != PartyOrganization {
			return false
		}
	}
	return true
}

// fillParty adds what the logs say about a party and a role.
func (r *reviewer) fillParty(p *Party, role string) {
	if p.Kind == PartyAnyone {
		return
	}
	s := r.facts.assume[role][p.Account]
	if s == nil {
		return
	}
	p.Assumptions = max(s.calls, s.sessions)
	p.Denied = s.denied
	p.LastAssumed = later(s.last, s.lastSes)
	p.LastDenied = s.lastDenied
	p.LastActivity = s.lastCall
	for c := range s.callers {
		p.AssumedBy = append(p.AssumedBy, c)
	}
	slices.Sort(p.AssumedBy)
}

// roleUse judges whether a third-party role is used.
func (r *reviewer) roleUse(p *Principal, rt *roleTrust, lastUsedKnown bool) {
	role := rt.role
	var last time.Time
	if role.RoleLastUsed != nil {
		last = role.RoleLastUsed.LastUsedDate.Time.UTC()
	}
	var logLast time.Time
	for _, s := range r.facts.assume[role.ARN] {
		logLast = later(logLast, later(s.last, s.lastSes))
	}
	logLast = later(logLast, r.facts.lastCall[role.ARN])
	last = later(last, logLast)
	p.LastUsed = last
	logs := r.facts.usage || r.facts.events
	window := ""
	if logs {
		window = fmt.Sprintf("%s to %s", dayString(r.facts.since), dayString(r.facts.until))
	}
	evidence := func(e *Evidence) {
		e.factTime("created", role.CreateDate.Time)
		if role.RoleLastUsed != nil {
			e.factTime("IAM last used", role.RoleLastUsed.LastUsedDate.Time)
		} else if lastUsedKnown {
			e.fact("IAM last used", "no record (IAM keeps 400 days)")
		}
		if logs {
			if logLast.IsZero() {
				e.fact("in the logs", "not assumed or used in the window "+window)
			} else {
				e.factTime("last use in the logs", logLast)
			}
		}
	}
	age := r.now.Sub(role.CreateDate.Time)
	switch {
	case last.IsZero() && (lastUsedKnown || logs):
		sev := SeverityMedium
		summary := fmt.Sprintf("The role has never been used since it was created %s ago.", days(age))
		if !lastUsedKnown {
			summary = fmt.Sprintf("The role was not used in the window %s, and the snapshot has no last-used records.", window)
			sev = SeverityLow
		} else if !role.CreateDate.IsZero() && age < time.Duration(r.opts.InactiveDays)*24*time.Hour {
			sev = SeverityLow
			summary = fmt.Sprintf("The role has not been used since it was created %s ago.", days(age))
		}
		f := newFinding(RuleRoleNeverUsed, role.ARN, "", sev, ruleTitle(RuleRoleNeverUsed))
		f.Evidence = Evidence{Summary: summary}
		evidence(&f.Evidence)
		f.Remedy = r.deleteRoleRemedy(role)
		p.add(f)
	case !last.IsZero() && r.now.Sub(last) > time.Duration(r.opts.InactiveDays)*24*time.Hour:
		f := newFinding(RuleRoleInactive, role.ARN, "", SeverityMedium, ruleTitle(RuleRoleInactive))
		f.Evidence = Evidence{Summary: fmt.Sprintf("The role was last used %s ago (%s), more than %d days.", days(r.now.Sub(last)), dayString(last), r.opts.InactiveDays)}
		evidence(&f.Evidence)
		f.Remedy = r.deleteRoleRemedy(role)
		p.add(f)
	}
}

// deleteRoleRemedy lists the commands that delete a role.
func (r *reviewer) deleteRoleRemedy(role *account.Role) Remedy {
	rem := Remedy{Summary: "Delete the role if the vendor no longer needs it; ask the vendor first if unsure."}
	for _, ap := range role.AttachedManagedPolicies {
		rem.Commands = append(rem.Commands, fmt.Sprintf("aws iam detach-role-policy --role-name %s --policy-arn %s", role.RoleName, ap.PolicyARN))
	}
	for _, ip := range role.RolePolicyList {
		rem.Commands = append(rem.Commands, fmt.Sprintf("aws iam delete-role-policy --role-name %s --policy-name %s", role.RoleName, ip.PolicyName))
	}
	for _, prof := range role.InstanceProfileList {
		rem.Commands = append(rem.Commands, fmt.Sprintf("aws iam remove-role-from-instance-profile --instance-profile-name %s --role-name %s", prof.InstanceProfileName, role.RoleName))
	}
	if role.PermissionsBoundary != nil {
		rem.Commands = append(rem.Commands, fmt.Sprintf("aws iam delete-role-permissions-boundary --role-name %s", role.RoleName))
	}
	rem.Commands = append(rem.Commands, fmt.Sprintf("aws iam delete-role --role-name %s", role.RoleName))
	return rem
}

// roleChanges reports trust of a third-party role created or changed in
// the window.
func (r *reviewer) roleChanges(p *Principal, rt *roleTrust) {
	var seen []roleChange
	for _, c := range r.facts.changes {
		if c.role == rt.role.ARN && c.Event != "iam:DeleteRole" && c.ErrorCode == "" {
			seen = append(seen, c)
		}
	}
	if len(seen) == 0 {
		return
	}
	var accts []string
	for _, pt := range rt.parties {
		accts = append(accts, pt.party.label())
	}
	slices.Sort(accts)
	last := seen[len(seen)-1]
	f := newFinding(RuleTrustChangeSeen, rt.role.ARN, "", SeverityMedium, ruleTitle(RuleTrustChangeSeen))
	what := "changed"
	if seen[0].Event == "iam:CreateRole" {
		what = "created"
	}
	who := last.Principal
	if last.SessionName != "" {
		who += " (session " + last.SessionName + ")"
	}
	f.Evidence = Evidence{Summary: fmt.Sprintf("The role, whose trust admits %s, was %s on %s by %s.", strings.Join(accts, ", "), what, dayString(seen[0].Time), who)}
	for _, c := range seen {
		f.Evidence.Events = append(f.Evidence.Events, c.EventRef)
	}
	f.Evidence.fact("changes", fmt.Sprintf("%d", len(seen)))
	f.Remedy = Remedy{Summary: "Confirm with the person who made the change that it was intended and approved; if not, remove the trust and review what the outside account did.",
		Commands: r.activityCommands(rt.role.ARN, nil)}
	p.add(f)
}

// activityCommands returns the tailor activity commands that show what a
// role or an account did.
func (r *reviewer) activityCommands(principal string, accounts []string) []string {
	events := r.in.EventsPath
	if events == "" {
		events = "EVENTS.parquet"
	}
	var out []string
	if principal != "" {
		out = append(out, fmt.Sprintf("tailor activity --events %s --principal %s", events, principal))
	}
	for _, a := range accounts {
		out = append(out, fmt.Sprintf("tailor activity --events %s --caller-account %s", events, a))
	}
	return out
}

// reviewUntrustedAccounts reports outside accounts seen assuming roles
// that today's trust policies do not let them assume.
func (r *reviewer) reviewUntrustedAccounts() {
	snap := r.in.Snapshot
	roles := make([]string, 0, len(r.facts.assume))
	for role := range r.facts.assume {
		roles = append(roles, role)
	}
	slices.Sort(roles)
	for _, roleARN := range roles {
		role := snap.Role(roleARN)
		var trust *roleTrust
		if role != nil {
			trust = r.analyzeTrust(role)
		}
		accts := make([]string, 0)
		for a := range r.facts.assume[roleARN] {
			accts = append(accts, a)
		}
		slices.Sort(accts)
		for _, acct := range accts {
			s := r.facts.assume[roleARN][acct]
			if s.calls == 0 && s.denied == 0 && s.sessions == 0 {
				continue
			}
			if trust != nil && (trust.parties[acct] != nil || trust.parties["*"] != nil) {
				continue
			}
			party := r.party(acct)
			r.fillParty(party, roleARN)
			arn := "arn:aws:iam::" + acct + ":root"
			name := acct
			if party.Vendor != "" {
				name = party.Vendor
			}
			p := r.principal(arn, KindAccount, name)
			p.ThirdParty = true
			p.Parties = append(p.Parties, party)
			p.LastUsed = later(p.LastUsed, later(party.LastAssumed, party.LastDenied))
			state := "which no longer exists"
			if role != nil {
				state = "whose trust policy no longer admits it"
			}
			p.reason(fmt.Sprintf("assumed %s, %s", roleARN, state))
			f := newFinding(RuleAccountNotTrusted, arn, roleARN, SeverityMedium, ruleTitle(RuleAccountNotTrusted))
			f.Account, f.Vendor = acct, party.Vendor
			summary := fmt.Sprintf("Account %s assumed %s %s in the window, %s", party.label(), roleARN, times(party.Assumptions), state)
			if s.denied > 0 {
				summary += fmt.Sprintf("; it was refused %s, the last on %s", times(s.denied), dayString(s.lastDenied))
			}
			f.Evidence = Evidence{Summary: summary + "."}
			f.Evidence.fact("role", roleARN)
			if role == nil {
				f.Evidence.fact("in the snapshot", "no")
			}
			f.Evidence.fact("assumptions", fmt.Sprintf("%d", party.Assumptions))
			f.Evidence.factTime("first assumed", earlier(s.first, s.firstSeen))
			f.Evidence.factTime("last assumed", party.LastAssumed)
			f.Evidence.fact("refused", fmt.Sprintf("%d", s.denied))
			f.Evidence.factTime("last refused", s.lastDenied)
			if len(party.AssumedBy) > 0 {
				f.Evidence.fact("assumed by", strings.Join(party.AssumedBy, ", "))
			}
			f.Evidence.Events = append(f.Evidence.Events, s.samples...)
			for _, c := range r.facts.changes {
				if c.role == roleARN {
					f.Evidence.Events = append(f.Evidence.Events, c.EventRef)
				}
			}
			f.Evidence.Events = append(f.Evidence.Events, s.refusals...)
			sortRefs(f.Evidence.Events)
			f.Remedy = Remedy{
				Summary:  "Confirm that the integration was retired and ask the vendor to remove it from their side; review what the account did while it could.",
				Commands: r.activityCommands("", []string{acct}),
			}
			p.add(f)
		}
	}
}
