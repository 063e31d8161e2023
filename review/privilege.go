package review

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/policy"
)

// grant is how a principal's policies grant an action.
type grant struct {
	by          string // "inline policy "x" statement 0 (Sid "y")"
	conditional bool
}

// parsedSet is a principal's policies, parsed.
type parsedSet struct {
	set      policy.PolicySet
	boundary string   // the boundary's description, "" when none
	missing  []string // policies whose documents the snapshot lacks
}

func (r *reviewer) parseSet(ap account.Principal) parsedSet {
	snapSet := r.in.Snapshot.PolicySet(ap)
	var ps parsedSet
	parse := func(doc account.PolicyDocument) *policy.Policy {
		if doc.Missing {
			ps.missing = append(ps.missing, doc.Source.String())
			return nil
		}
		p, err := policy.ParseAs(doc.Document, policy.KindIdentity)
		if err != nil {
			r.note(fmt.Sprintf("%s of %s does not parse (%v): its grants were left out.", doc.Source, ap.ARN(), err))
			return nil
		}
		p.Name = doc.Source.String()
		return p
	}
	for _, doc := range snapSet.Identity {
		if p := parse(doc); p != nil {
			ps.set.Identity = append(ps.set.Identity, p)
		}
	}
	if snapSet.Boundary != nil {
		ps.boundary = snapSet.Boundary.Source.String()
		if p := parse(*snapSet.Boundary); p != nil {
			ps.set.Boundary = p
		}
	}
	for _, g := range snapSet.MissingGroups {
		ps.missing = append(ps.missing, fmt.Sprintf("group %q", g))
	}
	return ps
}

func statementName(p *policy.Policy, i int) string {
	s := fmt.Sprintf("%s statement %d", p.Name, i)
	if sid := p.Statements[i].Sid; sid != "" {
		s += fmt.Sprintf(" (Sid %q)", sid)
	}
	return s
}

// granted returns the actions the policies grant on some resource: those
// of identity Allow statements, within the boundary's Allow statements,
// less those denied outright (on every resource, without conditions).
func (r *reviewer) granted(ps parsedSet) map[string]grant {
	out := map[string]grant{}
	for _, p := range ps.set.Identity {
		for i := range p.Statements {
			st := &p.Statements[i]
			if st.Effect != policy.Allow {
				continue
			}
			for _, a := range policy.StatementActions(r.cat, st) {
				if g, ok := out[a]; !ok || (g.conditional && len(st.Condition) == 0) {
					out[a] = grant{by: statementName(p, i), conditional: len(st.Condition) > 0}
				}
			}
		}
	}
	if b := ps.set.Boundary; b != nil {
		within := map[string]bool{}
		for i := range b.Statements {
			if b.Statements[i].Effect == policy.Allow {
				for _, a := range policy.StatementActions(r.cat, &b.Statements[i]) {
					within[a] = true
				}
			}
		}
		for a := range out {
			if !within[a] {
				delete(out, a)
			}
		}
	}
	deny := func(p *policy.Policy) {
		if p == nil {
			return
		}
		for i := range p.Statements {
			st := &p.Statements[i]
			if st.Effect != policy.Deny || len(st.Condition) > 0 || len(st.NotResource) > 0 || !slices.Contains(st.Resource, "*") {
				continue
			}
			for _, a := range policy.StatementActions(r.cat, st) {
				delete(out, a)
			}
		}
	}
	for _, p := range ps.set.Identity {
		deny(p)
	}
	deny(ps.set.Boundary)
	return out
}

// probeResource returns an ARN of the kind the action acts on, naming no
// real resource: a policy that allows it allows the action on every
// resource of the kind (in the account and region probed).
func (r *reviewer) probeResource(action string) string {
	a, ok := r.cat.Action(action)
	if !ok || len(a.Resources) == 0 {
		return "*"
	}
	format := ""
	for _, req := range []bool{true, false} {
		for _, res := range a.Resources {
			if res.Required != req || len(res.ARNFormats) == 0 {
				continue
			}
			f := res.ARNFormats[0]
			if format == "" || (strings.Contains(format, "accesspoint") && !strings.Contains(f, "accesspoint")) {
				format = f
			}
		}
		if format != "" {
			break
		}
	}
	if format == "" {
		return "*"
	}
	acct := r.report.Account
	if acct == "" {
		acct = "123456789012"
	}
	var b strings.Builder
	for {
		i := strings.Index(format, "${")
		if i < 0 {
			b.WriteString(format)
			break
		}
		j := strings.Index(format[i:], "}")
		if j < 0 {
			b.WriteString(format)
			break
		}
		b.WriteString(format[:i])
		switch format[i+2 : i+j] {
		case "Partition":
			b.WriteString("aws")
		case "Region":
			b.WriteString("us-east-1")
		case "Account":
			b.WriteString(acct)
		default:
			b.WriteString("tailor-probe")
		}
		format = format[i+j+1:]
	}
	return b.String()
}

// privileges judges what a third-party principal may do.
func (r *reviewer) privileges(p *Principal, ap account.Principal) {
	ps := r.parseSet(ap)
	if len(ps.set.Identity) == 0 && len(ps.missing) == 0 {
		return
	}
	granted := r.granted(ps)
	used := r.facts.used[p.ARN]

	logs := r.facts.usage || r.facts.events
	missingFact := func(e *Evidence) {
		if len(ps.missing) > 0 {
			e.fact("unknown grants", "the snapshot lacks "+strings.Join(ps.missing, ", ")+": what they grant is not counted")
		}
	}
	use := func(a string) ActionUse {
		u := ActionUse{Action: a}
		if g, ok := granted[a]; ok {
			u.GrantedBy, u.Conditional = g.by, g.conditional
		}
		if s := used[a]; s != nil && s.calls > 0 {
			u.Used, u.Calls, u.LastUsed = true, s.calls, s.last
			u.Resources = slices.Sorted(slices.Values(s.resources))
		}
		return u
	}

	// Sensitive actions on every resource.
	var sens []ActionUse
	for _, sa := range sensitiveActions {
		if _, ok := granted[sa.action]; !ok {
			continue
		}
		d := policy.Evaluate(policy.Request{Action: sa.action, Resource: r.probeResource(sa.action)}, ps.set)
		if d.Outcome != policy.Allowed && (d.Outcome != policy.Unknown || !conditionsOnly(d, ps.set)) {
			continue
		}
		u := use(sa.action)
		u.Category, u.Reason = sa.category, sa.reason
		if d.Outcome == policy.Allowed && d.Statement.Layer == policy.LayerIdentity {
			u.GrantedBy = fmt.Sprintf("%s statement %d", d.Statement.Policy, d.Statement.Index)
			if d.Statement.Sid != "" {
				u.GrantedBy += fmt.Sprintf(" (Sid %q)", d.Statement.Sid)
			}
		}
		u.Conditional = d.Outcome == policy.Unknown
		sens = append(sens, u)
	}
	if len(sens) > 0 {
		slices.SortStableFunc(sens, func(a, b ActionUse) int {
			if c := boolCmp(!a.Used, !b.Used); c != 0 {
				return c
			}
			if c := cmp.Compare(categoryRank(a.Category), categoryRank(b.Category)); c != 0 {
				return c
			}
			return strings.Compare(a.Action, b.Action)
		})
		var unused, usedNames []string
		sev := SeverityMedium
		for _, u := range sens {
			if u.Used {
				usedNames = append(usedNames, u.Action)
				continue
			}
			unused = append(unused, u.Action)
			if u.Category == CategoryPrivilege {
				sev = SeverityCritical
			} else if sev < SeverityHigh {
				sev = SeverityHigh
			}
		}
		f := newFinding(RuleSensitiveAll, p.ARN, "", sev, ruleTitle(RuleSensitiveAll))
		var summary string
		switch {
		case !logs:
			summary = fmt.Sprintf("%d sensitive actions are granted on all resources: %s. Without logs, whether they are used is unknown.", len(sens), strings.Join(unused, ", "))
		case len(unused) > 0 && len(usedNames) > 0:
			summary = fmt.Sprintf("%s granted on all resources and never used in the window; %s used.", strings.Join(unused, ", "), strings.Join(usedNames, ", "))
		case len(unused) > 0:
			summary = fmt.Sprintf("%s granted on all resources and never used in the window.", strings.Join(unused, ", "))
		default:
			summary = fmt.Sprintf("%s granted on all resources; used in the window, on the resources listed.", strings.Join(usedNames, ", "))
		}
		f.Evidence = Evidence{Summary: summary, Actions: sens}
		if !logs {
			f.Evidence.fact("usage", "unknown: no usage index or activity log")
		}
		missingFact(&f.Evidence)
		f.Remedy = r.sensitiveRemedy(p, ap, ps, sens, logs)
		p.add(f)
	}

	// Share of granted actions unused.
	if logs && len(granted) > 0 {
		var usedActs []ActionUse
		for a := range granted {
			if u := use(a); u.Used {
				usedActs = append(usedActs, u)
			}
		}
		share := 1 - float64(len(usedActs))/float64(len(granted))
		if share >= r.opts.UnusedShare && len(granted) >= 10 {
			sev := SeverityLow
			if share >= 0.9 {
				sev = SeverityMedium
			}
			slices.SortFunc(usedActs, func(a, b ActionUse) int {
				if c := cmp.Compare(b.Calls, a.Calls); c != 0 {
					return c
				}
				return strings.Compare(a.Action, b.Action)
			})
			if len(usedActs) > 20 {
				usedActs = usedActs[:20]
			}
			f := newFinding(RulePermissionsUnused, p.ARN, "", sev, ruleTitle(RulePermissionsUnused))
			f.Evidence = Evidence{
				Summary: fmt.Sprintf("%d of the %d granted actions (%.1f%%) were not used in the window %s to %s.",
					len(granted)-countUsed(granted, used), len(granted), 100*share, dayString(r.facts.since), dayString(r.facts.until)),
				Actions: usedActs,
			}
			f.Evidence.fact("granted actions", fmt.Sprint(len(granted)))
			f.Evidence.fact("used actions", fmt.Sprint(countUsed(granted, used)))
			f.Evidence.fact("unused share", fmt.Sprintf("%.1f%%", 100*share))
			if d := r.deniedList(p.ARN); d != "" {
				f.Evidence.fact("tried but denied", d)
			}
			missingFact(&f.Evidence)
			f.Remedy = r.rightsizeRemedy(p.ARN)
			p.add(f)
		}
	}

	// Writes without a boundary.
	if ps.boundary == "" {
		var writes []ActionUse
		pm := false
		for a := range granted {
			ca, ok := r.cat.Action(a)
			if !ok || kmsCryptoOperation(a) || readByName(a) || !(ca.Level.Has(catalog.Write) || ca.Level.Has(catalog.PermissionsManagement)) {
				continue
			}
			if ca.Level.Has(catalog.PermissionsManagement) {
				pm = true
			}
			writes = append(writes, use(a))
		}
		if len(writes) > 0 {
			slices.SortFunc(writes, func(a, b ActionUse) int {
				if c := boolCmp(!a.Used, !b.Used); c != 0 {
					return c
				}
				return strings.Compare(a.Action, b.Action)
			})
			sev := SeverityLow
			if pm {
				sev = SeverityMedium
			}
			var unused []string
			nUsed := 0
			for _, w := range writes {
				if w.Used {
					nUsed++
				} else {
					unused = append(unused, w.Action)
				}
			}
			f := newFinding(RuleNoBoundaryWrite, p.ARN, "", sev, ruleTitle(RuleNoBoundaryWrite))
			summary := fmt.Sprintf("The %s has no permission boundary and may call %d write actions", p.Kind, len(writes))
			if pm {
				summary += ", permissions management among them"
			}
			if logs {
				summary += fmt.Sprintf("; it used %d of them in the window", nUsed)
			}
			f.Evidence = Evidence{Summary: summary + "."}
			f.Evidence.fact("write actions", fmt.Sprint(len(writes)))
			if logs {
				f.Evidence.fact("used", fmt.Sprint(nUsed))
			}
			missingFact(&f.Evidence)
			shown := writes
			if len(shown) > 25 {
				shown = shown[:25]
				f.Evidence.fact("listed", fmt.Sprintf("the first 25 of %d", len(writes)))
			}
			f.Evidence.Actions = shown
			f.Remedy = r.writeBoundaryRemedy(p, ap, unused, logs)
			p.add(f)
		}
	}
}

// deniedList lists the actions a principal was refused, with counts.
func (r *reviewer) deniedList(arn string) string {
	m := r.facts.deniedActs[arn]
	acts := make([]string, 0, len(m))
	for a := range m {
		acts = append(acts, a)
	}
	slices.SortFunc(acts, func(a, b string) int {
		if c := cmp.Compare(m[b], m[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	var parts []string
	for i, a := range acts {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("and %d more", len(acts)-10))
			break
		}
		parts = append(parts, fmt.Sprintf("%s ×%d", a, m[a]))
	}
	return strings.Join(parts, ", ")
}

// conditionsOnly reports whether an Unknown decision is undecided for its
// conditions alone: no undecided statement has a policy variable in its
// resources. A resource such as "arn:aws:s3:::bucket/${aws:username}/*"
// narrows the grant to the caller's own part; it is not all resources.
func conditionsOnly(d policy.Decision, set policy.PolicySet) bool {
	for _, ref := range d.Undecided {
		var p *policy.Policy
		switch ref.Layer {
		case policy.LayerIdentity:
			for _, q := range set.Identity {
				if q.Name == ref.Policy {
					p = q
				}
			}
		case policy.LayerBoundary:
			p = set.Boundary
		}
		if p == nil || ref.Index >= len(p.Statements) {
			return false
		}
		for _, res := range append(slices.Clone(p.Statements[ref.Index].Resource), p.Statements[ref.Index].NotResource...) {
			if strings.Contains(res, "${") {
				return false
			}
		}
	}
	return true
}

// readByName reports whether an action's name says it reads (Describe,
// Get, List, View, Search, Lookup): the Service Authorization Reference
// classes a few such actions as writes (quicksight:DescribeSpacePermissions
// is "Permissions management", iot:ListSubscriptions "Write"), which would
// make every auditor role look write-capable.
func readByName(action string) bool {
	_, name, _ := strings.Cut(action, ":")
	for _, verb := range []string{"Describe", "Get", "List", "View", "Search", "Lookup"} {
		if strings.HasPrefix(name, verb) && len(name) > len(verb) && name[len(verb)] >= 'A' && name[len(verb)] <= 'Z' {
			return true
		}
	}
	return false
}

func countUsed(granted map[string]grant, used map[string]*actionStat) int {
	n := 0
	for a := range granted {
		if s := used[a]; s != nil && s.calls > 0 {
			n++
		}
	}
	return n
}

// boundaryDoc returns a boundary: the principal's existing boundary, or
// one that allows everything, with the given Deny statements added.
func boundaryDoc(existing *policy.Policy, denies []policy.Statement) json.RawMessage {
	var p *policy.Policy
	if existing != nil {
		p = clonePolicy(existing)
	} else {
		p = &policy.Policy{Version: policy.Version2012, Statements: []policy.Statement{{
			Sid: "AllowWhatThePoliciesGrant", Effect: policy.Allow, Action: []string{"*"}, Resource: []string{"*"},
		}}}
	}
	p.Statements = append(p.Statements, denies...)
	b, err := p.MarshalIndent("", "  ")
	if err != nil {
		return nil
	}
	return b
}

// boundaryCommands returns the commands that create a boundary policy
// and attach it.
func (r *reviewer) boundaryCommands(p *Principal, name string) []string {
	acct := r.report.Account
	if acct == "" {
		acct = "<ACCOUNT-ID>"
	}
	cmds := []string{fmt.Sprintf("aws iam create-policy --policy-name %s --policy-document file://boundary.json", name)}
	arn := fmt.Sprintf("arn:aws:iam::%s:policy/%s", acct, name)
	if p.Kind == KindUser {
		cmds = append(cmds, fmt.Sprintf("aws iam put-user-permissions-boundary --user-name %s --permissions-boundary %s", p.Name, arn))
	} else {
		cmds = append(cmds, fmt.Sprintf("aws iam put-role-permissions-boundary --role-name %s --permissions-boundary %s", p.Name, arn))
	}
	return cmds
}

// sensitiveRemedy denies the unused sensitive actions and limits the used
// ones to the resources they touched.
func (r *reviewer) sensitiveRemedy(p *Principal, ap account.Principal, ps parsedSet, sens []ActionUse, logs bool) Remedy {
	var unused []string
	var denies []policy.Statement
	var unlimited []string
	for _, u := range sens {
		if !u.Used {
			unused = append(unused, u.Action)
		}
	}
	if len(unused) > 0 {
		denies = append(denies, policy.Statement{Sid: "DenyUnusedSensitiveActions", Effect: policy.Deny, Action: unused, Resource: []string{"*"}})
	}
	for _, u := range sens {
		if !u.Used {
			continue
		}
		if len(u.Resources) == 0 {
			unlimited = append(unlimited, u.Action)
			continue
		}
		sid := "LimitTo" + strings.NewReplacer(":", "", "-", "").Replace(u.Action) + "Seen"
		denies = append(denies, policy.Statement{Sid: sid, Effect: policy.Deny, Action: []string{u.Action}, NotResource: slices.Clone(u.Resources)})
	}
	rem := Remedy{}
	switch {
	case !logs:
		rem.Summary = "Deny the sensitive actions in a permission boundary unless the vendor documents that it needs them; with a usage index the review can tell which it uses."
	case len(unused) > 0:
		rem.Summary = fmt.Sprintf("Deny the %d unused sensitive actions in a permission boundary: the principal never used them, so nothing it does breaks.", len(unused))
	default:
		rem.Summary = "Limit the sensitive actions to the resources the logs show in a permission boundary."
	}
	if len(unlimited) > 0 {
		rem.Steps = append(rem.Steps, fmt.Sprintf("The logs name no resources for %s: narrow them by hand or with tailor rightsize.", strings.Join(unlimited, ", ")))
	}
	if len(denies) == 0 {
		return rem
	}
	name := p.Name + "Boundary"
	if ps.boundary != "" {
		rem.Steps = append(rem.Steps, "The boundary below is the existing one ("+ps.boundary+") with the Deny statements added: update that policy instead of creating one.")
	} else {
		rem.Steps = append(rem.Steps, "Save the boundary below as boundary.json, create the policy and attach it as the permission boundary.")
		rem.Commands = r.boundaryCommands(p, name)
	}
	rem.Boundary = boundaryDoc(ps.set.Boundary, denies)
	return rem
}

// writeBoundaryRemedy denies the write actions that were not used.
func (r *reviewer) writeBoundaryRemedy(p *Principal, ap account.Principal, unused []string, logs bool) Remedy {
	rem := Remedy{Summary: "Attach a permission boundary that denies the write actions the principal does not need."}
	if !logs {
		rem.Summary += " Without a usage index the review cannot tell which it uses: ask the vendor which write actions its integration needs."
		return rem
	}
	if len(unused) == 0 {
		rem.Summary = "The principal used every write action it may call: a boundary that allows only those keeps it from growing."
		rem.Commands = []string{r.rightsizeCommand(p.ARN)}
		return rem
	}
	if len(unused) > 200 {
		rem.Summary = fmt.Sprintf("%d write actions were not used in the window: too many to list in a boundary (a managed policy holds 6,144 characters); replace the policies with the suggestion of tailor rightsize and add a boundary that allows only what it keeps.", len(unused))
		rem.Commands = []string{r.rightsizeCommand(p.ARN)}
		return rem
	}
	rem.Summary = fmt.Sprintf("Attach a permission boundary that denies the %d write actions not used in the window.", len(unused))
	rem.Boundary = boundaryDoc(nil, []policy.Statement{{Sid: "DenyUnusedWrites", Effect: policy.Deny, Action: unused, Resource: []string{"*"}}})
	if len(rem.Boundary) > 6144 {
		rem.Steps = append(rem.Steps, "The boundary is longer than the 6,144 characters a managed policy holds once whitespace is removed: split it, or use tailor rightsize.")
	}
	rem.Commands = r.boundaryCommands(p, p.Name+"Boundary")
	return rem
}

func (r *reviewer) rightsizeCommand(arn string) string {
	iam, usage := r.in.IAMPath, r.in.UsagePath
	if iam == "" {
		iam = "AUTHZ.json"
	}
	if usage == "" {
		usage = "INDEX.parquet"
	}
	return fmt.Sprintf("tailor rightsize --usage %s --iam %s --principal %s", usage, iam, arn)
}

// rightsizeRemedy gives the rightsize command and, through the
// Rightsizer hook, the suggestion itself.
func (r *reviewer) rightsizeRemedy(arn string) Remedy {
	rem := Remedy{
		Summary:  "Replace the principal's policies with a least-privilege policy built from what it used; tailor rightsize suggests one and proves it grants nothing new.",
		Commands: []string{r.rightsizeCommand(arn)},
	}
	if r.opts.Rightsizer != nil {
		doc, err := r.opts.Rightsizer.Suggest(r.ctx, arn)
		if err != nil {
			r.note(fmt.Sprintf("No policy suggestion for %s: %v.", arn, err))
		} else {
			rem.SuggestedPolicy = doc
		}
	}
	return rem
}
