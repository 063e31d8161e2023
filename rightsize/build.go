package rightsize

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/policy"
)

// draft is a statement of the suggestion being built.
type draft struct {
	sid         string
	effect      policy.Effect
	actions     []string
	notAction   []string
	resource    []string
	notResource []string
	cond        []policy.Clause
	// literal: the statement comes from a policy whose Version does not
	// support policy variables, and holds "${": it must stay in such a
	// policy to mean the same.
	literal bool
	// ids are the kept catalog actions an Allow draft of narrow grants;
	// nil for drafts copied verbatim.
	ids bitset
}

func (d *draft) statement() policy.Statement {
	return policy.Statement{Sid: d.sid, Effect: d.effect, Action: d.actions, NotAction: d.notAction,
		Resource: d.resource, NotResource: d.notResource, Condition: d.cond}
}

// build makes, verifies and reports the suggestion for s with the given
// resource mode.
func (rs *Rightsizer) build(s *Subject, o *observed, mode ResourceMode) (*Suggestion, error) {
	win := rs.cov.window(s.account())
	g := rs.grants(s)
	d := rs.decide(g, o, &win, newWitness(s.LastAccessed, &win))
	sug := &Suggestion{Principal: s.ARN, Name: s.Name, Kind: s.Kind, Window: win,
		Current: s.Identity, Boundary: s.Boundary, Resources: mode}

	trusted := rs.opts.trusted(&win)
	var drafts []*draft
	present := g.granted // the actions the suggestion still grants
	if trusted {
		drafts = rs.narrow(s, o, g, d, mode)
		present = rs.acts.bits()
		for _, dr := range drafts {
			if dr.ids != nil {
				present.or(dr.ids)
			}
		}
		if !win.Complete() {
			sug.Notes = append(sug.Notes, fmt.Sprintf("%d of %d days in the window have no logs (%s): the suggestion rests on the other %d days, as asked; what was used on those days is not seen",
				len(win.MissingDays), win.Days, DayRanges(win.MissingDays), win.DaysWithLogs))
		}
	} else {
		drafts = verbatim(s)
	}
	drafts = merge(drafts, rs.acts.lookup)
	for _, dr := range drafts {
		tidy(dr)
		if rs.opts.Compact && trusted {
			rs.compact(dr, g)
		}
	}
	docs, sizes, err := documents(s.Name, drafts, rs.opts.maxSize())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.ARN, err)
	}
	sug.Policies, sug.Sizes = docs, sizes
	sug.Split = len(docs) > 1
	if len(s.Groups) > 0 {
		sug.Notes = append(sug.Notes, fmt.Sprintf("policies of groups %s are part of today's grants: the suggestion replaces them for this user, who must leave the groups",
			strings.Join(s.Groups, ", ")))
	}
	switch {
	case len(docs) == 0 && g.hasAllows:
		sug.Detach = detachments(s)
		sug.Notes = append(sug.Notes, "nothing is kept: detach every identity policy")
	case g.hasAllows && !slices.ContainsFunc(drafts, func(dr *draft) bool { return dr.effect == policy.Allow }):
		// Today's Deny statements may refuse what a resource policy
		// allows: dropping them could open a door, so they stay.
		sug.Notes = append(sug.Notes, "no Allow is kept: the suggestion holds only today's Deny statements, which may still refuse what resource policies allow")
	}

	v, err := rs.verify(s, docs, o)
	if err != nil {
		return nil, err
	}
	sug.Verification = v
	rs.report(sug, g, d, o, &win, present)
	if !trusted {
		sug.KeptAsIs = true
		n := 0
		for _, a := range sug.Unobservable {
			if a.Reason == KeptWindowIncomplete {
				n++
			}
		}
		what := "the window holds no day with logs"
		if win.Days > 0 {
			what = fmt.Sprintf("%d of %d days in the window have no logs (%s)", len(win.MissingDays), win.Days, DayRanges(win.MissingDays))
		}
		sug.Notes = append(sug.Notes, fmt.Sprintf("%s: every statement is kept as it is, with %d actions the days with logs show unused (--allow-gaps suggests from the days with logs)", what, n))
	}
	if quota := rs.opts.maxPolicies(); len(docs) > quota {
		sug.Services = serviceShares(sug)
		sl, err := rs.serviceLevel(s, drafts, o)
		if err != nil {
			return nil, err
		}
		sug.ServiceLevel = sl
		note := fmt.Sprintf("the suggestion needs %d managed policies; a role or user may attach %d unless the quota was raised. Most of it: %s",
			len(docs), quota, topServices(sug.Services, 5))
		if sl != nil {
			note += fmt.Sprintf(". The service-level form (whole services where the suggestion keeps an action) fits in %d", len(sl.Policies))
		}
		if !s.LastAccessed.Complete() && len(sug.Unobservable) > len(sug.Kept) {
			note += fmt.Sprintf(". %d of the %d actions kept are ones the logs cannot show: IAM's last-accessed report of the principal (tailor iam snapshot, or tailor iam add-last-accessed) would decide them",
				len(sug.Unobservable), len(sug.Kept)+len(sug.Unobservable))
		}
		sug.Notes = append(sug.Notes, note)
	}
	return sug, nil
}

// detachments lists the steps that take every identity policy away from
// s, with the AWS CLI command of each where the policy's source is known.
func detachments(s *Subject) []Detachment {
	var out []Detachment
	groups := map[string]bool{}
	flag := "--" + s.Kind + "-name"
	for i, p := range s.Identity {
		dt := Detachment{Policy: p.Name}
		if i < len(s.Sources) {
			src := s.Sources[i]
			switch {
			case src.Group != "":
				dt.Policy = "group " + src.Group
				if groups[src.Group] {
					continue
				}
				groups[src.Group] = true
				dt.Command = "aws iam remove-user-from-group --user-name " + shellQuote(s.Name) + " --group-name " + shellQuote(src.Group)
			case src.Kind == account.SourceManaged:
				dt.Command = "aws iam detach-" + s.Kind + "-policy " + flag + " " + shellQuote(s.Name) + " --policy-arn " + shellQuote(src.ARN)
			case src.Kind == account.SourceInline:
				dt.Command = "aws iam delete-" + s.Kind + "-policy " + flag + " " + shellQuote(s.Name) + " --policy-name " + shellQuote(src.Name)
			}
		}
		out = append(out, dt)
	}
	return out
}

// shellQuote returns s as one word for a POSIX shell: as it is when it
// holds only characters IAM names and ARNs use, else in single quotes.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-:/") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// verbatim copies every statement of s's identity policies.
func verbatim(s *Subject) []*draft {
	var out []*draft
	for _, p := range s.Identity {
		for i := range p.Statements {
			st := &p.Statements[i]
			out = append(out, &draft{sid: st.Sid, effect: st.Effect, actions: st.Action, notAction: st.NotAction,
				resource: st.Resource, notResource: st.NotResource, cond: st.Condition, literal: literalVars(p, st)})
		}
	}
	return out
}

// literalVars reports whether st, of policy p, holds "${" that p's Version
// reads as plain text.
func literalVars(p *policy.Policy, st *policy.Statement) bool {
	if p.Version == policy.Version2012 {
		return false
	}
	for _, l := range [][]string{st.Resource, st.NotResource} {
		for _, r := range l {
			if strings.Contains(r, "${") {
				return true
			}
		}
	}
	for _, c := range st.Condition {
		for _, v := range c.Values {
			if strings.Contains(v, "${") {
				return true
			}
		}
	}
	return false
}

// narrow derives the suggested statements from the current ones: Deny
// statements as they are; each Allow statement keeps the actions it grants
// that are kept, its conditions, and its resources (or, with mode
// observed or generalize, for used actions that support resource-level
// permissions, the observed resources it covers). A used action whose
// calls all touched known resources stays only in the statements that
// cover one of them.
func (rs *Rightsizer) narrow(s *Subject, o *observed, g *grants, d *decision, mode ResourceMode) []*draft {
	var out []*draft
	acts := rs.acts.bits()
	for _, p := range s.Identity {
		for i := range p.Statements {
			st := &p.Statements[i]
			lit := literalVars(p, st)
			if st.Effect == policy.Deny {
				out = append(out, &draft{sid: st.Sid, effect: st.Effect, actions: st.Action, notAction: st.NotAction,
					resource: st.Resource, notResource: st.NotResource, cond: st.Condition, literal: lit})
				continue
			}
			info := rs.stmt(p, st)
			for w := range acts {
				acts[w] = info.acts[w] & g.boundary[w] &^ g.denied[w] & d.keep[w]
			}
			if acts.empty() {
				continue
			}
			narrowable := mode != ResourcesKeep && len(st.Resource) > 0 && !info.vars && !lit
			byRes := map[string]*draft{}
			add := func(id int32, res []string) {
				key := "\x00"
				if res != nil {
					key = strings.Join(res, "\x00")
				}
				dr := byRes[key]
				if dr == nil {
					dr = &draft{sid: st.Sid, effect: policy.Allow, cond: st.Condition, literal: lit,
						resource: st.Resource, notResource: st.NotResource}
					if res != nil {
						dr.resource, dr.notResource = res, nil
					}
					dr.ids = rs.acts.bits()
					byRes[key] = dr
				}
				dr.actions = append(dr.actions, rs.acts.names[id])
				dr.ids.set(id)
			}
			acts.each(func(id int32) {
				u := o.used[id]
				if u == nil || len(u.res) == 0 || len(u.bare) > 0 {
					// Unused but kept, or used on resources not all
					// known: any statement that grants it may have
					// served the calls.
					add(id, nil)
					return
				}
				inside, partial := serves(info, u.res)
				if len(inside) == 0 && !partial && !info.vars {
					return // every call was on resources this statement does not cover
				}
				if !narrowable || partial || !rs.acts.supportsResources(id) {
					add(id, nil)
					return
				}
				if mode == ResourcesGeneralize {
					inside = generalize(inside, st.Resource, rs.opts.threshold())
				}
				add(id, inside)
			})
			if dr := byRes["\x00"]; dr != nil {
				rs.asWritten(dr, p, st, g)
			}
			for _, k := range slices.Sorted(maps.Keys(byRes)) {
				out = append(out, byRes[k])
			}
		}
	}
	return out
}

// serves returns the observed resources the statement covers, sorted, and
// whether a folded resource ("prefix*") may overlap the statement's
// resources without being covered whole, so that its calls may have been
// allowed by the statement on resources it does not name.
func serves(info *stmtInfo, res map[string]map[string]bool) (inside []string, partial bool) {
	for _, r := range slices.Sorted(maps.Keys(res)) {
		if info.contains(r) {
			inside = append(inside, r)
			continue
		}
		if strings.HasSuffix(r, "*") && mayOverlap(info, strings.TrimSuffix(r, "*")) {
			partial = true
		}
	}
	return inside, partial
}

// mayOverlap reports whether the statement may cover some resource that
// starts with prefix.
func mayOverlap(info *stmtInfo, prefix string) bool {
	st := &info.probe.Statements[0]
	if len(st.NotResource) > 0 {
		return true
	}
	for _, p := range st.Resource {
		lit := p
		if i := strings.IndexAny(p, "*?"); i >= 0 {
			lit = p[:i]
		}
		if strings.HasPrefix(lit, prefix) || strings.HasPrefix(prefix, lit) {
			return true
		}
	}
	return false
}

// generalize collapses the ARNs under one parent (an S3 bucket, a path, a
// resource type) into their longest common prefix followed by "*" when
// there are more than threshold of them and the pattern stays within one
// of the statement's resource patterns.
func generalize(arns, within []string, threshold int) []string {
	groups := map[string][]string{}
	for _, a := range arns {
		groups[parentOf(a)] = append(groups[parentOf(a)], a)
	}
	var out []string
	for _, parent := range slices.Sorted(maps.Keys(groups)) {
		members := groups[parent]
		if len(members) <= threshold {
			out = append(out, members...)
			continue
		}
		lcp := members[0]
		for _, m := range members[1:] {
			n := 0
			for n < len(lcp) && n < len(m) && lcp[n] == m[n] {
				n++
			}
			lcp = lcp[:n]
		}
		// End the pattern at a delimiter, never inside a name.
		if i := strings.LastIndexAny(lcp, "/:"); i >= len(parent)-1 {
			lcp = lcp[:i+1]
		} else {
			lcp = parent
		}
		lcp = strings.TrimRight(lcp, "*?") // a folded member's wildcard
		pat := lcp + "*"
		if slices.ContainsFunc(within, func(w string) bool { return policy.ResourceContains(w, pat) }) {
			out = append(out, pat)
		} else {
			out = append(out, members...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// parentOf returns the part of an ARN that names its container: up to the
// first '/' of the resource part (an S3 bucket "arn:aws:s3:::b/"), else up
// to its last ':'.
func parentOf(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) < 6 {
		return ""
	}
	head := strings.Join(f[:5], ":") + ":"
	res := f[5]
	if i := strings.IndexByte(res, '/'); i >= 0 {
		return head + res[:i+1]
	}
	if i := strings.LastIndexByte(res, ':'); i >= 0 {
		return head + res[:i+1]
	}
	return head
}

// merge joins the Allow statements with an Action list that share their
// Sid, resources, conditions and Version semantics; other statements stay
// as they are. Actions end sorted. Statements with different Sids stay
// apart, so that each suggested statement says which of today's it comes
// from.
func merge(drafts []*draft, lookup func(string) (int32, bool)) []*draft {
	var out []*draft
	index := map[string]*draft{}
	for _, d := range drafts {
		if d.effect != policy.Allow || len(d.notAction) > 0 {
			out = append(out, d)
			continue
		}
		k := mergeKey(d, true)
		if m, ok := index[k]; ok {
			m.actions = append(m.actions, d.actions...)
			if d.ids != nil {
				m.ids.or(d.ids)
			}
			continue
		}
		c := *d
		c.actions = slices.Clone(d.actions)
		c.ids = d.ids.clone()
		index[k] = &c
		out = append(out, &c)
	}
	// An action an earlier statement with the same resources and
	// conditions grants is not repeated in a later one; a statement left
	// with nothing of its own goes.
	covered := map[string]bitset{}
	kept := out[:0]
	for _, d := range out {
		if d.effect == policy.Allow && len(d.notAction) == 0 {
			slices.Sort(d.actions)
			d.actions = slices.Compact(d.actions)
			if d.ids != nil {
				k := mergeKey(d, false)
				if c, ok := covered[k]; ok {
					d.actions = slices.DeleteFunc(d.actions, func(a string) bool {
						id, ok := lookup(a)
						return ok && c.has(id)
					})
					if len(d.actions) == 0 {
						continue
					}
					c.or(d.ids)
				} else {
					covered[k] = d.ids.clone()
				}
			}
		}
		kept = append(kept, d)
	}
	return kept
}

func mergeKey(d *draft, sid bool) string {
	var b strings.Builder
	if d.literal {
		b.WriteString("L")
	}
	if sid {
		b.WriteString(d.sid)
	}
	b.WriteByte(0)
	list := func(tag string, vals []string) {
		b.WriteString(tag)
		v := slices.Clone(vals)
		slices.Sort(v)
		for _, x := range v {
			b.WriteString(x)
			b.WriteByte(0)
		}
		b.WriteByte(1)
	}
	list("R", d.resource)
	list("N", d.notResource)
	cl := slices.Clone(d.cond)
	slices.SortFunc(cl, func(x, y policy.Clause) int {
		if c := strings.Compare(x.Operator, y.Operator); c != 0 {
			return c
		}
		return strings.Compare(strings.ToLower(x.Key), strings.ToLower(y.Key))
	})
	for _, c := range cl {
		list("C"+c.Operator+"\x00"+strings.ToLower(c.Key), c.Values)
	}
	return b.String()
}

// documents packs the drafts into policy documents of at most maxSize
// characters of compact JSON: Deny statements first, so that they land in
// the first document; statements too large alone are split by actions,
// then by resources. Statements whose "${" must stay plain text go to
// documents of Version 2008-10-17. Sids are made unique in each document.
// It returns the documents and their sizes.
func documents(name string, drafts []*draft, maxSize int) ([]*policy.Policy, []int, error) {
	var modern, literal []policy.Statement
	slices.SortStableFunc(drafts, func(a, b *draft) int {
		ra, rb := 0, 0
		if a.effect == policy.Allow {
			ra = 1
		}
		if b.effect == policy.Allow {
			rb = 1
		}
		return ra - rb
	})
	for _, d := range drafts {
		if d.literal {
			literal = append(literal, d.statement())
		} else {
			modern = append(modern, d.statement())
		}
	}
	var docs []*policy.Policy
	var sizes []int
	for _, part := range []struct {
		version string
		stmts   []policy.Statement
	}{{policy.Version2012, modern}, {policy.Version2008, literal}} {
		if len(part.stmts) == 0 {
			continue
		}
		packed, sz, err := pack(part.version, part.stmts, maxSize)
		if err != nil {
			return nil, nil, err
		}
		docs = append(docs, packed...)
		sizes = append(sizes, sz...)
	}
	for i, p := range docs {
		p.Name = name + "-rightsized"
		if len(docs) > 1 {
			p.Name += "-" + strconv.Itoa(i+1)
		}
		uniqueSids(p.Statements)
		if err := p.Compile(); err != nil {
			return nil, nil, fmt.Errorf("compile suggestion: %w", err)
		}
	}
	return docs, sizes, nil
}

// pack fills documents of one Version with the statements in order.
func pack(version string, stmts []policy.Statement, maxSize int) ([]*policy.Policy, []int, error) {
	base := docSize(version, nil)
	var docs []*policy.Policy
	var sizes []int
	var cur []policy.Statement
	size := base
	flush := func() {
		if len(cur) > 0 {
			docs = append(docs, &policy.Policy{Version: version, Statements: cur})
			sizes = append(sizes, size)
		}
		cur, size = nil, base
	}
	for _, st := range stmts {
		n := stmtSize(st)
		pieces := []policy.Statement{st}
		if base+n > maxSize {
			var err error
			if pieces, err = fit(version, st, maxSize); err != nil {
				return nil, nil, err
			}
		}
		for _, pc := range pieces {
			if len(pieces) > 1 {
				n = stmtSize(pc)
			}
			add := n
			if len(cur) > 0 {
				add++ // the comma
			}
			if size+add > maxSize && len(cur) > 0 {
				flush()
				add = n
			}
			cur = append(cur, pc)
			size += add
		}
	}
	flush()
	return docs, sizes, nil
}

// fit splits a statement into pieces that each fit a document alone.
func fit(version string, st policy.Statement, maxSize int) ([]policy.Statement, error) {
	if docSize(version, []policy.Statement{st}) <= maxSize {
		return []policy.Statement{st}, nil
	}
	halves := func(get func(*policy.Statement) *[]string) ([]policy.Statement, error) {
		a, b := st, st
		l := *get(&st)
		*get(&a) = l[: len(l)/2 : len(l)/2]
		*get(&b) = l[len(l)/2:]
		x, err := fit(version, a, maxSize)
		if err != nil {
			return nil, err
		}
		y, err := fit(version, b, maxSize)
		return append(x, y...), err
	}
	switch {
	case len(st.Action) > 1:
		return halves(func(s *policy.Statement) *[]string { return &s.Action })
	case len(st.Action) > 0 && len(st.Resource) > 1:
		return halves(func(s *policy.Statement) *[]string { return &s.Resource })
	}
	return nil, fmt.Errorf("%w: statement %q (%d characters, limit %d)", ErrTooLarge, st.Sid, docSize(version, []policy.Statement{st}), maxSize)
}

// docSize is the size of the compact JSON of a document.
func docSize(version string, stmts []policy.Statement) int {
	b, _ := (&policy.Policy{Version: version, Statements: stmts}).MarshalJSON()
	return len(b)
}

// stmtSize is the size of one statement's compact JSON.
func stmtSize(st policy.Statement) int {
	return docSize("", []policy.Statement{st}) - len(`{"Statement":[]}`)
}

// uniqueSids appends a number to repeated Sids: IAM wants them unique
// within a policy. Sids hold letters and digits only, so the number is
// appended as digits.
func uniqueSids(stmts []policy.Statement) {
	seen := map[string]bool{}
	for i := range stmts {
		sid := stmts[i].Sid
		if sid == "" {
			continue
		}
		if !seen[sid] {
			seen[sid] = true
			continue
		}
		for n := 2; ; n++ {
			c := sid + strconv.Itoa(n)
			if !seen[c] {
				stmts[i].Sid = c
				seen[c] = true
				break
			}
		}
	}
}
