package review

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/policy"
)

// escTargetRef is one resource a path reaches.
type escTargetRef struct {
	arn  string // the resource a step acts on: a user, role, group or policy
	name string
	// stronger is true when the path yields permissions the principal
	// lacks: a target that may call sensitive actions it may not, or one
	// it can rewrite.
	stronger bool
}

// escPrincipal is what the escalation analysis knows of the principal it
// judges.
type escPrincipal struct {
	ap      account.Principal
	arn     string
	kind    string
	set     parsedSet
	groups  []*account.Group
	ownPols map[string]bool // customer managed policies attached to it (or its groups)
}

// escalationEnv is built once per review: the snapshot's principals,
// their trust, their policy sets, and what each may do of the sensitive
// actions, for "stronger".
type escalationEnv struct {
	roles      []*account.Role
	users      []*account.User
	groups     []*account.Group
	policies   []*account.ManagedPolicy
	attached   map[string][]string // policy ARN → principals (and groups) it is attached to
	trust      map[string]*policy.Policy
	powers     map[string][]string // principal ARN → sensitive actions it may call on every resource
	groupSets  map[string]parsedSet
	principalS map[string]parsedSet
}

func (r *reviewer) escalationEnv() *escalationEnv {
	if r.esc != nil {
		return r.esc
	}
	snap := r.in.Snapshot
	env := &escalationEnv{attached: map[string][]string{}, trust: map[string]*policy.Policy{}, powers: map[string][]string{},
		groupSets: map[string]parsedSet{}, principalS: map[string]parsedSet{}}
	for _, role := range snap.Roles() {
		if role.ServiceLinked() {
			continue
		}
		env.roles = append(env.roles, role)
		if p, err := policy.ParseEncodedAs(role.AssumeRolePolicyDocument, policy.KindTrust); err == nil {
			env.trust[role.ARN] = p
		}
		for _, ap := range role.AttachedManagedPolicies {
			env.attached[ap.PolicyARN] = append(env.attached[ap.PolicyARN], role.ARN)
		}
	}
	env.users = snap.Users()
	for _, u := range env.users {
		for _, ap := range u.AttachedManagedPolicies {
			env.attached[ap.PolicyARN] = append(env.attached[ap.PolicyARN], u.ARN)
		}
	}
	env.groups = snap.Groups()
	for _, g := range env.groups {
		for _, ap := range g.AttachedManagedPolicies {
			env.attached[ap.PolicyARN] = append(env.attached[ap.PolicyARN], g.ARN)
		}
	}
	for _, p := range snap.Policies() {
		if !p.AWSManaged() {
			env.policies = append(env.policies, p)
		}
	}
	r.esc = env
	return env
}

// setOf returns the parsed policy set of a role or user, cached.
func (r *reviewer) setOf(ap account.Principal) parsedSet {
	env := r.escalationEnv()
	arn := ap.ARN()
	if ps, ok := env.principalS[arn]; ok {
		return ps
	}
	ps := r.parseSet(ap)
	env.principalS[arn] = ps
	return ps
}

// groupSet returns the parsed policies of a group.
func (r *reviewer) groupSet(g *account.Group) parsedSet {
	env := r.escalationEnv()
	if ps, ok := env.groupSets[g.ARN]; ok {
		return ps
	}
	var ps parsedSet
	for _, ip := range g.GroupPolicyList {
		if p, err := policy.ParseEncodedAs(ip.PolicyDocument, policy.KindIdentity); err == nil {
			p.Name = fmt.Sprintf("inline policy %q of group %q", ip.PolicyName, g.GroupName)
			ps.set.Identity = append(ps.set.Identity, p)
		}
	}
	for _, ap := range g.AttachedManagedPolicies {
		mp := r.in.Snapshot.Policy(ap.PolicyARN)
		if mp == nil || mp.DefaultVersion() == nil {
			ps.missing = append(ps.missing, ap.PolicyARN)
			continue
		}
		if p, err := policy.ParseEncodedAs(mp.DefaultVersion().Document, policy.KindIdentity); err == nil {
			p.Name = fmt.Sprintf("managed policy %q", ap.PolicyName)
			ps.set.Identity = append(ps.set.Identity, p)
		}
	}
	env.groupSets[g.ARN] = ps
	return ps
}

// powers returns the sensitive actions a policy set allows on every
// resource of their kind: what "stronger" compares.
func (r *reviewer) powers(key string, ps parsedSet) []string {
	env := r.escalationEnv()
	if p, ok := env.powers[key]; ok {
		return p
	}
	var out []string
	for _, sa := range sensitiveActions {
		d := policy.Evaluate(policy.Request{Action: sa.action, Resource: r.probeResource(sa.action)}, ps.set)
		if d.Outcome == policy.Allowed || d.Outcome == policy.Unknown {
			out = append(out, sa.action)
		}
	}
	env.powers[key] = out
	return out
}

// strongerThan reports whether the target may call some sensitive action
// the principal may not.
func strongerThan(target, self []string) bool {
	for _, a := range target {
		if !slices.Contains(self, a) {
			return true
		}
	}
	return false
}

// admits reports whether a role's trust policy admits the principal: by
// its ARN, or its account as a whole.
func admits(trust *policy.Policy, arn string) bool {
	if trust == nil {
		return false
	}
	acct := tailor.ARNAccount(arn)
	for _, t := range policy.Trustees(trust) {
		if !admitsAssume(&t) {
			continue
		}
		switch {
		case t.Kind == policy.TrustPrincipal && t.Principal == arn:
			return true
		case t.Kind == policy.TrustAccount && t.Account == acct:
			return true
		case t.Kind == policy.TrustAnyone:
			return true
		}
	}
	return false
}

// trusts reports whether a role's trust policy admits a service.
func trusts(trust *policy.Policy, service string) bool {
	if trust == nil {
		return false
	}
	for _, t := range policy.Trustees(trust) {
		if t.Kind == policy.TrustService && strings.EqualFold(t.Principal, service) && admitsAssume(&t) {
			return true
		}
	}
	return false
}

// targets lists the resources a method's path may reach for principal ep.
func (r *reviewer) targets(m *escalationMethod, ep *escPrincipal) []escTargetRef {
	env := r.escalationEnv()
	self := r.powers(ep.arn, ep.set)
	roleRef := func(role *account.Role) escTargetRef {
		ps := r.setOf(account.Principal{Kind: account.KindRole, Role: role})
		return escTargetRef{arn: role.ARN, name: "role " + role.RoleName, stronger: strongerThan(r.powers(role.ARN, ps), self)}
	}
	var out []escTargetRef
	switch m.target {
	case escSelf:
		out = append(out, escTargetRef{arn: ep.arn, name: "itself", stronger: true})
	case escOtherUsers:
		for _, u := range env.users {
			if u.ARN == ep.arn {
				continue
			}
			ps := r.setOf(account.Principal{Kind: account.KindUser, User: u})
			out = append(out, escTargetRef{arn: u.ARN, name: "user " + u.UserName, stronger: strongerThan(r.powers(u.ARN, ps), self)})
		}
	case escOwnGroups:
		for _, g := range ep.groups {
			out = append(out, escTargetRef{arn: g.ARN, name: "group " + g.GroupName, stronger: true})
		}
	case escOtherGroups:
		for _, g := range env.groups {
			if slices.Contains(ep.groups, g) {
				continue
			}
			out = append(out, escTargetRef{arn: g.ARN, name: "group " + g.GroupName, stronger: strongerThan(r.powers(g.ARN, r.groupSet(g)), self)})
		}
	case escOwnPolicies, escOtherPolicies, escVersionedPolicies:
		for _, p := range env.policies {
			holders := env.attached[p.ARN]
			own := ep.ownPols[p.ARN]
			switch m.target {
			case escOwnPolicies:
				if !own {
					continue
				}
			case escOtherPolicies:
				if own || len(holders) == 0 {
					continue
				}
			case escVersionedPolicies:
				if !own || len(p.PolicyVersionList) < 2 {
					continue
				}
			}
			ref := escTargetRef{arn: p.ARN, name: "policy " + p.PolicyName, stronger: own}
			if !own {
				// Rewritten, the policy grants its holders anything: the
				// path is as strong as the holder it reaches.
				ref.stronger = true
			}
			out = append(out, ref)
		}
	case escPassable, escServiceRoles:
		for _, role := range env.roles {
			if role.ARN == ep.arn || !trusts(env.trust[role.ARN], m.service) {
				continue
			}
			if m.service == "ec2.amazonaws.com" && len(role.InstanceProfileList) == 0 {
				continue // an instance gets a role only through an instance profile
			}
			out = append(out, roleRef(role))
		}
	case escAssumableRoles:
		for _, role := range env.roles {
			if role.ARN != ep.arn && admits(env.trust[role.ARN], ep.arn) {
				ref := roleRef(role)
				ref.stronger = true // its policies can be rewritten
				out = append(out, ref)
			}
		}
	case escOtherRoles:
		for _, role := range env.roles {
			if role.ARN != ep.arn {
				out = append(out, roleRef(role))
			}
		}
	}
	return out
}

// escStepResult is how a principal's policies decide one step.
type escStepResult struct {
	action      string
	conditional bool
	by          string // the statement that allows it
}

// decide evaluates a step for the principal on a resource.
//
// The request is one made now: a role's session has just been issued
// (aws:TokenIssueTime is now), and a PassRole names the service the path
// passes the role to (iam:PassedToService).
func (r *reviewer) decide(ep *escPrincipal, action, resource, service string) (ok bool, res escStepResult) {
	req := policy.Request{Action: action, Resource: resource, Caller: policy.Caller{ARN: ep.arn}, Time: r.now, Context: map[string][]string{}}
	if ep.kind == KindRole {
		req.Context["aws:TokenIssueTime"] = []string{r.now.UTC().Format(time.RFC3339)}
	}
	if service != "" && strings.EqualFold(action, "iam:PassRole") {
		req.Context["iam:PassedToService"] = []string{service}
	}
	d := policy.Evaluate(req, ep.set.set)
	res.action = action
	switch d.Outcome {
	case policy.Allowed:
		if d.Statement.Layer == policy.LayerIdentity {
			res.by = fmt.Sprintf("%s statement %d", d.Statement.Policy, d.Statement.Index)
			if d.Statement.Sid != "" {
				res.by += fmt.Sprintf(" (Sid %q)", d.Statement.Sid)
			}
		}
		return true, res
	case policy.Unknown:
		if !conditionsOnly(d, ep.set.set) {
			return false, res
		}
		res.conditional = true
		for _, u := range d.Undecided {
			if u.Layer == policy.LayerIdentity {
				res.by = fmt.Sprintf("%s statement %d", u.Policy, u.Index)
				break
			}
		}
		return true, res
	}
	return false, res
}

// escPath is a method a principal holds, with the targets that make it.
type escPath struct {
	method  *escalationMethod
	steps   []escStepResult
	targets []escTargetRef
}

// escalationPaths returns the methods the principal holds.
func (r *reviewer) escalationPaths(ep *escPrincipal) []escPath {
	var out []escPath
	for i := range escalationMethods {
		m := &escalationMethods[i]
		if !slices.Contains(m.kinds, ep.kind) {
			continue
		}
		// Steps on any resource first: they need no target.
		steps := make([]escStepResult, len(m.steps))
		ok := true
		for j, st := range m.steps {
			if st.onTarget {
				continue
			}
			var allowed bool
			allowed, steps[j] = r.decide(ep, st.action, r.probeResource(st.action), "")
			if !allowed {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		var reached []escTargetRef
		for _, t := range r.targets(m, ep) {
			all := true
			tsteps := slices.Clone(steps)
			for j, st := range m.steps {
				if !st.onTarget {
					continue
				}
				var allowed bool
				allowed, tsteps[j] = r.decide(ep, st.action, t.arn, m.service)
				if !allowed {
					all = false
					break
				}
			}
			if !all {
				continue
			}
			if len(reached) == 0 {
				steps = tsteps
			} else {
				for j := range steps {
					steps[j].conditional = steps[j].conditional && tsteps[j].conditional
				}
			}
			reached = append(reached, t)
		}
		if len(reached) == 0 {
			continue
		}
		slices.SortStableFunc(reached, func(a, b escTargetRef) int { return boolCmp(a.stronger, b.stronger) })
		out = append(out, escPath{method: m, steps: steps, targets: reached})
	}
	return out
}

// newEscPrincipal gathers what the analysis needs of a role or user.
func (r *reviewer) newEscPrincipal(ap account.Principal) *escPrincipal {
	ep := &escPrincipal{ap: ap, arn: ap.ARN(), set: r.setOf(ap), ownPols: map[string]bool{}}
	switch ap.Kind {
	case account.KindRole:
		ep.kind = KindRole
		for _, a := range ap.Role.AttachedManagedPolicies {
			ep.ownPols[a.PolicyARN] = true
		}
	default:
		ep.kind = KindUser
		for _, a := range ap.User.AttachedManagedPolicies {
			ep.ownPols[a.PolicyARN] = true
		}
		for _, name := range ap.User.GroupList {
			if g := r.in.Snapshot.Group(name); g != nil {
				ep.groups = append(ep.groups, g)
				for _, a := range g.AttachedManagedPolicies {
					ep.ownPols[a.PolicyARN] = true
				}
			}
		}
	}
	return ep
}

// escalations adds a finding for each escalation path the principal
// holds.
func (r *reviewer) escalations(p *Principal, ap account.Principal) {
	ep := r.newEscPrincipal(ap)
	if len(ep.set.set.Identity) == 0 {
		return
	}
	used := r.facts.used[p.ARN]
	logs := r.facts.usage || r.facts.events
	for _, path := range r.escalationPaths(ep) {
		m := path.method
		sev := SeverityMedium
		var stronger []string
		for _, t := range path.targets {
			if t.stronger {
				stronger = append(stronger, t.name)
			}
		}
		switch {
		case m.unbounded:
			sev = SeverityCritical
		case len(stronger) > 0:
			sev = SeverityHigh
		}
		conditional := false
		var acts []ActionUse
		anyUsed := false
		for _, st := range path.steps {
			u := ActionUse{Action: st.action, GrantedBy: st.by, Conditional: st.conditional, Category: CategoryPrivilege}
			if s := used[st.action]; s != nil && s.calls > 0 {
				u.Used, u.Calls, u.LastUsed = true, s.calls, s.last
				u.Resources = slices.Clone(s.resources)
				anyUsed = true
			}
			conditional = conditional || st.conditional
			acts = append(acts, u)
		}
		if conditional && sev > SeverityLow {
			sev--
		}
		if anyUsed && sev < SeverityCritical {
			sev++
		}
		names := make([]string, 0, len(path.steps))
		for _, st := range path.steps {
			names = append(names, st.action)
		}
		f := newFinding(RuleEscalation, p.ARN, m.id, sev, ruleTitle(RuleEscalation)+": "+m.title)
		var targetNames []string
		for _, t := range path.targets {
			targetNames = append(targetNames, t.name)
		}
		summary := fmt.Sprintf("The %s holds %s: it %s, with %s.", p.Kind, m.id, m.how, strings.Join(names, " + "))
		if len(targetNames) > 0 && m.target != escSelf {
			summary = fmt.Sprintf("The %s holds %s: it %s, with %s on %s.", p.Kind, m.id, m.how, strings.Join(names, " + "), listSome(targetNames, 5))
		}
		f.Evidence = Evidence{Summary: summary, Actions: acts}
		f.Evidence.fact("method", m.id+" ("+m.ref+")")
		f.Evidence.fact("reaches", listSome(targetNames, 10))
		switch {
		case m.unbounded:
			f.Evidence.fact("gains", "any permission: it can grant itself what it wants")
		case len(stronger) > 0:
			f.Evidence.fact("stronger targets", listSome(stronger, 10)+" (may call sensitive actions the principal may not)")
		default:
			f.Evidence.fact("stronger targets", "none: the targets may call no sensitive action the principal may not")
		}
		if conditional {
			f.Evidence.fact("conditions", "some steps are granted under conditions the review cannot decide")
		}
		if ep.set.boundary != "" {
			f.Evidence.fact("boundary", ep.set.boundary+" allows every step")
		}
		switch {
		case anyUsed:
			f.Evidence.fact("usage", "the logs show the principal using some of these actions")
		case logs:
			f.Evidence.fact("usage", "none of these actions used in the window")
		default:
			f.Evidence.fact("usage", "unknown: no usage index or activity log")
		}
		f.Remedy = r.escalationRemedy(p, ep, path, acts)
		p.add(f)
	}
}

// listSome joins at most n names, saying how many more there are.
func listSome(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}

// escalationRemedy denies, in a permission boundary, the step of the path
// that breaks it at least cost: an unused one, else the first.
func (r *reviewer) escalationRemedy(p *Principal, ep *escPrincipal, path escPath, acts []ActionUse) Remedy {
	cut := acts[0]
	for _, a := range acts {
		if !a.Used {
			cut = a
			break
		}
	}
	st := policy.Statement{Sid: "DenyEscalation" + path.method.id, Effect: policy.Deny, Action: []string{cut.Action}, Resource: []string{"*"}}
	for _, s := range path.method.steps {
		if s.action == cut.Action && s.onTarget && path.method.target != escSelf {
			st.Resource = nil
			for _, t := range path.targets {
				st.Resource = append(st.Resource, t.arn)
			}
		}
	}
	rem := Remedy{
		Summary: fmt.Sprintf("Deny %s in a permission boundary: without it the path is closed.", cut.Action),
	}
	if cut.Used {
		rem.Summary = fmt.Sprintf("The principal uses every step of the path; limit %s to the resources it needs, or move the work to a principal that is meant to hold it.", cut.Action)
	}
	rem.Boundary = boundaryDoc(ep.set.set.Boundary, []policy.Statement{st})
	if ep.set.boundary != "" {
		rem.Steps = []string{"The boundary below is the existing one (" + ep.set.boundary + ") with the Deny statement added: update that policy."}
	} else {
		rem.Steps = []string{"Save the boundary below as boundary.json, create the policy and attach it as the permission boundary."}
		rem.Commands = r.boundaryCommands(p, p.Name+"Boundary")
	}
	return rem
}

// reviewAllPrincipals looks for escalation paths in every role and user
// that the third-party review did not judge already.
func (r *reviewer) reviewAllPrincipals() {
	snap := r.in.Snapshot
	for _, role := range snap.Roles() {
		if r.ctx.Err() != nil {
			return
		}
		if role.ServiceLinked() || (r.principals[role.ARN] != nil && r.principals[role.ARN].ThirdParty) {
			continue
		}
		r.internalEscalations(role.ARN, KindRole, role.RoleName, account.Principal{Kind: account.KindRole, Role: role})
	}
	for _, u := range snap.Users() {
		if r.ctx.Err() != nil {
			return
		}
		if r.principals[u.ARN] != nil && r.principals[u.ARN].ThirdParty {
			continue
		}
		r.internalEscalations(u.ARN, KindUser, u.UserName, account.Principal{Kind: account.KindUser, User: u})
	}
}

func (r *reviewer) internalEscalations(arn, kind, name string, ap account.Principal) {
	p := r.principals[arn]
	probe := p
	if probe == nil {
		probe = &Principal{ARN: arn, Kind: kind, Name: name}
	}
	before := len(probe.Findings)
	r.escalations(probe, ap)
	if p == nil && len(probe.Findings) > before {
		p = r.principal(arn, kind, name)
		p.Findings = probe.Findings
	}
	if p != nil && len(p.Findings) > before {
		p.reason("internal principal with escalation paths (--all-principals)")
	}
}
