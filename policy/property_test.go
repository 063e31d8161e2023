package policy_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/policy"
)

// The property tests generate random policy sets and requests from small
// universes (so that patterns, variables and condition values meet often)
// and compare policy.Evaluate with the naive evaluator of naive_test.go.

var (
	genActions = []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "ec2:StartInstances", "iam:TagUser", "sts:GetCallerIdentity", "sts:GetAccessKeyInfo"}
	// reqActions are the requests' actions, in the case a client may send.
	reqActions    = []string{"s3:GetObject", "S3:putobject", "s3:ListBucket", "ec2:StartInstances", "iam:TagUser", "sts:GetCallerIdentity", "sts:GetAccessKeyInfo"}
	actionPattern = []string{"s3:GetObject", "s3:get*", "S3:*", "*", "ec2:Start*", "s3:?utObject", "iam:TagUser", "sts:*", "ec2:*Instances", "s3:List*", "sts:Get*"}
	reqResources  = []string{
		"arn:aws:s3:::b1/alice/x", "arn:aws:s3:::b1/bob/x", "arn:aws:s3:::b2/dev/y", "arn:aws:s3:::b1",
		"arn:aws:s3:::b1/dev/x", "arn:aws:s3:::home-alice", "arn:aws:s3:::b1/bob/x:y",
		"arn:aws:ec2:us-east-1:111122223333:instance/i-1", "arn:aws:ec2:eu-west-1:444455556666:instance/i-2",
		"arn:aws:ec2:us-east-1:${aws:PrincipalAccount}:instance/i-3",
		"arn:aws:iam::111122223333:user/bob", "*",
	}
	resourcePattern = []string{
		"*", "arn:aws:s3:::b1/*", "arn:aws:s3:::b1", "arn:aws:s3:::b1/${aws:username}/*",
		"arn:aws:s3:::b2/${aws:PrincipalTag/team}/*", "arn:aws:s3:::b?/*", "arn:aws:s3:::*/alice/*",
		"arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-*:111122223333:*", "arn:aws:ec2:*:${aws:PrincipalAccount}:instance/*",
		"arn:aws:s3:::b1/${aws:username, 'bob'}/x", "arn:*:s3:::b1*", "arn:aws:s3:::b1/${aws:PrincipalTag/nope}/x",
		"arn:aws:iam::111122223333:user/*", "arn:aws:iam::*:user/${aws:username}", "arn:aws:s3:::home-${aws:username}",
		"arn:aws:s3:::b1/*/x", "arn:aws:s3:::${aws:PrincipalTag/team}*", "arn:aws:s3:::b1/${*}",
	}
	// condKeys are the condition keys by operator family.
	stringKeys = []string{"aws:PrincipalTag/team", "aws:username", "aws:TagKeys", "s3:prefix", "aws:PrincipalAccount", "aws:RequestTag/env"}
	stringVals = []string{"dev", "ops", "Dev", "alice", "bob", "team", "env", "d*", "*", "?ev", "${aws:username}",
		"${aws:PrincipalTag/team}", "home-${aws:username}", "${aws:username, 'bob'}", "${aws:PrincipalTag/nope}", "${*}", "111122223333"}
	arnVals = []string{"arn:aws:s3:::b1/*", "arn:aws:s3:::b1/${aws:username}", "arn:aws:sqs:*:${aws:PrincipalAccount}:q*",
		"arn:aws:s*:*:*:*", "arn:aws:sqs:us-east-1:111122223333:q"}
)

// gen makes random policies and requests.
type gen struct{ r *rand.Rand }

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }
func (g *gen) chance(p float64) bool   { return g.r.Float64() < p }

// some returns 1 to max distinct picks.
func (g *gen) some(xs []string, max int) []string {
	n := 1 + g.r.IntN(max)
	var out []string
	for len(out) < n {
		x := g.pick(xs)
		dup := false
		for _, y := range out {
			dup = dup || y == x
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}

// mixCase writes a key in a random case: key names are case-insensitive.
func (g *gen) mixCase(k string) string {
	switch g.r.IntN(4) {
	case 0:
		return strings.ToUpper(k)
	case 1:
		return strings.ToLower(k)
	}
	return k
}

func (g *gen) operator() (op string, family string) {
	switch n := g.r.IntN(20); {
	case n < 12:
		op = g.pick([]string{"StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"})
		family = "string"
	case n < 14:
		op, family = g.pick([]string{"ArnLike", "ArnNotLike", "ArnEquals"}), "arn"
	case n < 15:
		op, family = "NumericLessThan", "numeric"
	case n < 16:
		op, family = "Bool", "bool"
	default:
		return "Null", "null"
	}
	if g.chance(0.3) {
		op += "IfExists"
	}
	switch g.r.IntN(3) {
	case 0:
		op = "ForAnyValue:" + op
	case 1:
		op = "ForAllValues:" + op
	}
	return op, family
}

func (g *gen) condition() nCond {
	op, fam := g.operator()
	c := nCond{Op: op}
	switch fam {
	case "string":
		c.Key, c.Values = g.pick(stringKeys), g.some(stringVals, 3)
	case "arn":
		c.Key, c.Values = "aws:SourceArn", g.some(arnVals, 2)
	case "numeric":
		c.Key, c.Values = "s3:max-keys", g.some([]string{"10", "100", "${aws:username}"}, 2)
	case "bool":
		c.Key, c.Values = "aws:SecureTransport", []string{g.pick([]string{"true", "false"})}
	case "null":
		c.Key, c.Values = g.pick(append(stringKeys, "aws:SourceArn", "s3:max-keys")), []string{g.pick([]string{"true", "false"})}
	}
	c.Key = g.mixCase(c.Key)
	return c
}

func (g *gen) statement(deny bool) nStmt {
	s := nStmt{Deny: deny, Actions: g.some(actionPattern, 3), NotAction: g.chance(0.15),
		Resources: g.some(resourcePattern, 3), NotResource: g.chance(0.15)}
	for n := g.r.IntN(3); n > 0 && g.chance(0.7); n-- {
		c := g.condition()
		dup := false
		for _, d := range s.Conds {
			dup = dup || d.Op == c.Op && strings.EqualFold(d.Key, c.Key)
		}
		if !dup {
			s.Conds = append(s.Conds, c)
		}
	}
	return s
}

func (g *gen) policy(denyShare float64, max int) nPolicy {
	p := nPolicy{Version: "2012-10-17"}
	if g.chance(0.1) {
		p.Version = "2008-10-17"
	}
	for n := 1 + g.r.IntN(max); n > 0; n-- {
		p.Statements = append(p.Statements, g.statement(g.chance(denyShare)))
	}
	return p
}

func (g *gen) set() nSet {
	var s nSet
	for n := 1 + g.r.IntN(3); n > 0; n-- {
		s.Identity = append(s.Identity, g.policy(0.35, 3))
	}
	if g.chance(0.25) {
		b := g.policy(0.2, 2)
		s.Boundary = &b
	}
	if g.chance(0.25) {
		for n := 1 + g.r.IntN(2); n > 0; n-- {
			var lvl []nPolicy
			for m := 1 + g.r.IntN(2); m > 0; m-- {
				lvl = append(lvl, g.policy(0.2, 2))
			}
			s.SCPs = append(s.SCPs, lvl)
		}
	}
	return s
}

// request makes a request and the same request in the naive form. Keys
// reach Evaluate through Caller or Context, in any case; the naive form
// has them all in its context, lower case.
func (g *gen) request() (policy.Request, nReq) {
	rq := policy.Request{Action: g.pick(reqActions), Resource: g.pick(reqResources), ContextComplete: true}
	nr := nReq{Action: rq.Action, Resource: rq.Resource, Context: map[string][]string{}}
	put := func(key string, vals []string) {
		if rq.Context == nil {
			rq.Context = map[string][]string{}
		}
		rq.Context[g.mixCase(key)] = vals
		if len(vals) > 0 {
			nr.Context[strings.ToLower(key)] = vals
		}
	}
	switch g.r.IntN(5) {
	case 0:
		rq.Caller.Username = g.pick([]string{"alice", "bob"})
		nr.Context["aws:username"] = []string{rq.Caller.Username}
	case 1:
		put("aws:username", []string{g.pick([]string{"alice", "bob"})})
	case 2:
		put("aws:username", []string{"alice", "bob"}) // multivalued: no variable
	}
	switch g.r.IntN(4) {
	case 0:
		rq.Caller.Tags = map[string]string{g.mixCase("team"): g.pick([]string{"dev", "ops", "Dev"})}
		for _, v := range rq.Caller.Tags {
			nr.Context["aws:principaltag/team"] = []string{v}
		}
	case 1:
		put("aws:PrincipalTag/team", []string{g.pick([]string{"dev", "ops", "Dev"})})
	}
	if g.chance(0.5) {
		rq.Caller.Account = "111122223333"
		nr.Context["aws:principalaccount"] = []string{"111122223333"}
	}
	opt := func(key string, choices ...[]string) {
		if i := g.r.IntN(len(choices) + 1); i < len(choices) {
			put(key, choices[i])
		}
	}
	opt("aws:TagKeys", []string{}, []string{"team"}, []string{"team", "env"}, []string{"env"}, []string{"Team"})
	opt("s3:prefix", []string{"dev"}, []string{"alice"}, []string{"home-alice"}, []string{"*"}, []string{"Dev"})
	opt("aws:RequestTag/env", []string{"dev"}, []string{"ops", "dev"})
	opt("aws:SecureTransport", []string{"true"}, []string{"false"})
	opt("s3:max-keys", []string{"5"}, []string{"50"}, []string{"500"}, []string{"abc"})
	opt("aws:SourceArn", []string{"arn:aws:s3:::b1/alice"}, []string{"arn:aws:sqs:us-east-1:111122223333:q1"}, []string{"arn:aws:s3:::b1/bob"})
	return rq, nr
}

// document renders a generated policy as JSON, the way a person would
// write it.
func (p nPolicy) document() []byte {
	type stmt map[string]any
	var stmts []stmt
	for _, s := range p.Statements {
		st := stmt{"Effect": "Allow"}
		if s.Deny {
			st["Effect"] = "Deny"
		}
		if s.NotAction {
			st["NotAction"] = s.Actions
		} else {
			st["Action"] = s.Actions
		}
		if s.NotResource {
			st["NotResource"] = s.Resources
		} else {
			st["Resource"] = s.Resources
		}
		if len(s.Conds) > 0 {
			cond := map[string]map[string][]string{}
			for _, c := range s.Conds {
				if cond[c.Op] == nil {
					cond[c.Op] = map[string][]string{}
				}
				cond[c.Op][c.Key] = c.Values
			}
			st["Condition"] = cond
		}
		stmts = append(stmts, st)
	}
	b, err := json.Marshal(map[string]any{"Version": p.Version, "Statement": stmts})
	if err != nil {
		panic(err)
	}
	return b
}

// parseSet parses the generated documents into a policy set.
func parseSet(tb testing.TB, s nSet) policy.PolicySet {
	parse := func(name string, p nPolicy) *policy.Policy {
		q, err := policy.ParseAs(p.document(), policy.KindIdentity)
		if err != nil {
			tb.Fatalf("%s: %v\n%s", name, err, p.document())
		}
		q.Name = name
		return q
	}
	var set policy.PolicySet
	for i, p := range s.Identity {
		set.Identity = append(set.Identity, parse("identity-"+strconv.Itoa(i), p))
	}
	if s.Boundary != nil {
		set.Boundary = parse("boundary", *s.Boundary)
	}
	for l, lvl := range s.SCPs {
		var ps []*policy.Policy
		for i, p := range lvl {
			ps = append(ps, parse(fmt.Sprintf("scp-%d-%d", l, i), p))
		}
		set.SCPs = append(set.SCPs, ps)
	}
	return set
}

// propertyCases is the number of (policy set, request) pairs the property
// test decides: the same under the race detector, where each is slower, so
// that CI's `go test -race` checks as many as a plain run.
const (
	propertySets     = 12_500
	requestsPerSet   = 8
	propertyRequests = propertySets * requestsPerSet
)

// TestEvaluateAgreesWithNaive checks Evaluate against the naive evaluator
// on random policy sets: variables that resolve and that do not (in lists
// of resources and of condition values, before and after the fifth colon,
// with defaults, multivalued), multivalued keys under ForAnyValue and
// ForAllValues, ...IfExists, NotAction, NotResource, Deny and Allow,
// boundaries and SCP levels. With a complete context the outcomes must be
// equal; with the same context marked incomplete, Evaluate may only answer
// the same outcome, Unknown (naming the missing keys), or an implicit deny
// for an explicit one: never allowed for a refused request.
//
// A disagreement is shrunk to a minimal case and printed as JSON, ready to
// become a regression case in testdata/eval.
func TestEvaluateAgreesWithNaive(t *testing.T) {
	seed := uint64(12)
	if s := os.Getenv("TAILOR_PROPERTY_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	g := &gen{r: rand.New(rand.NewPCG(seed, 2))}
	n := newNaive()
	counts := map[policy.Outcome]int{}
	var failures []string
	disagreements := 0
	for i := 0; i < propertySets; i++ {
		ns := g.set()
		set := parseSet(t, ns)
		for j := 0; j < requestsPerSet; j++ {
			rq, nr := g.request()
			want := n.decide(ns, nr)
			counts[want]++
			got := policy.Evaluate(rq, set)
			if got.Outcome != want {
				disagreements++
				if len(failures) < 10 {
					failures = append(failures, shrink(t, n, ns, rq, nr))
				}
				continue
			}
			rq.ContextComplete = false
			part := policy.Evaluate(rq, set)
			// An implicit deny may hide a deny whose conditions are
			// unknown: refused either way.
			hidden := part.Outcome == policy.ImplicitDeny && want == policy.ExplicitDeny
			if part.Outcome != want && part.Outcome != policy.Unknown && !hidden {
				t.Errorf("incomplete context: %v, complete: %v\n%s", part.Outcome, want, caseJSON(ns, rq))
			}
			if part.Outcome == policy.Unknown && len(part.Missing) == 0 {
				t.Errorf("unknown without missing keys\n%s", caseJSON(ns, rq))
			}
		}
	}
	for _, f := range failures {
		t.Errorf("Evaluate and the naive evaluator disagree; minimal case:\n%s", f)
	}
	if disagreements > 0 {
		t.Errorf("%d of %d requests disagree", disagreements, propertyRequests)
	}
	t.Logf("%d policy sets, %d requests: %d allowed, %d explicitly denied, %d implicitly denied",
		propertySets, propertyRequests, counts[policy.Allowed], counts[policy.ExplicitDeny], counts[policy.ImplicitDeny])
	// The generator must reach every outcome often, or it tests little.
	for _, o := range []policy.Outcome{policy.Allowed, policy.ExplicitDeny, policy.ImplicitDeny} {
		if counts[o] < propertyRequests/20 {
			t.Errorf("only %d requests %v: the generator is lopsided", counts[o], o)
		}
	}
}

// shrink removes parts of a failing case while it still fails and returns
// the smallest as JSON.
func shrink(tb testing.TB, n *naive, ns nSet, rq policy.Request, nr nReq) string {
	fails := func(s nSet) bool {
		return policy.Evaluate(rq, parseSet(tb, s)).Outcome != n.decide(s, nr)
	}
	for changed := true; changed; {
		changed = false
		for _, cand := range smaller(ns) {
			if fails(cand) {
				ns, changed = cand, true
				break
			}
		}
	}
	return caseJSON(ns, rq) + fmt.Sprintf("\nEvaluate: %v, naive: %v", policy.Evaluate(rq, parseSet(tb, ns)).Outcome, n.decide(ns, nr))
}

// smaller returns the sets one step smaller than s: a policy, statement,
// action, resource, condition or condition value fewer.
func smaller(s nSet) []nSet {
	var out []nSet
	clone := func() nSet {
		var c nSet
		b, _ := json.Marshal(s)
		json.Unmarshal(b, &c)
		return c
	}
	if s.Boundary != nil {
		c := clone()
		c.Boundary = nil
		out = append(out, c)
	}
	if len(s.SCPs) > 0 {
		c := clone()
		c.SCPs = nil
		out = append(out, c)
	}
	// every policy of the set, by a pointer into a fresh clone
	policies := func(c *nSet) []*nPolicy {
		var ps []*nPolicy
		for i := range c.Identity {
			ps = append(ps, &c.Identity[i])
		}
		if c.Boundary != nil {
			ps = append(ps, c.Boundary)
		}
		for l := range c.SCPs {
			for i := range c.SCPs[l] {
				ps = append(ps, &c.SCPs[l][i])
			}
		}
		return ps
	}
	for i := range s.Identity {
		if len(s.Identity) > 1 {
			c := clone()
			c.Identity = append(c.Identity[:i], c.Identity[i+1:]...)
			out = append(out, c)
		}
	}
	np := len(policies(&s))
	for pi := 0; pi < np; pi++ {
		p := policies(&s)[pi]
		for si := range p.Statements {
			if len(p.Statements) > 1 {
				c := clone()
				q := policies(&c)[pi]
				q.Statements = append(q.Statements[:si], q.Statements[si+1:]...)
				out = append(out, c)
			}
			st := p.Statements[si]
			drop := func(get func(*nStmt) *[]string, n int) {
				for k := 0; k < n; k++ {
					c := clone()
					l := get(&policies(&c)[pi].Statements[si])
					*l = append((*l)[:k], (*l)[k+1:]...)
					out = append(out, c)
				}
			}
			if len(st.Actions) > 1 {
				drop(func(x *nStmt) *[]string { return &x.Actions }, len(st.Actions))
			}
			if len(st.Resources) > 1 {
				drop(func(x *nStmt) *[]string { return &x.Resources }, len(st.Resources))
			}
			for ci := range st.Conds {
				c := clone()
				q := &policies(&c)[pi].Statements[si]
				q.Conds = append(q.Conds[:ci], q.Conds[ci+1:]...)
				out = append(out, c)
				if len(st.Conds[ci].Values) > 1 {
					drop(func(x *nStmt) *[]string { return &x.Conds[ci].Values }, len(st.Conds[ci].Values))
				}
			}
		}
	}
	return out
}

// caseJSON prints a case in the shape of the testdata/eval fixtures.
func caseJSON(s nSet, rq policy.Request) string {
	var b strings.Builder
	for i, p := range s.Identity {
		fmt.Fprintf(&b, "identity-%d: %s\n", i, p.document())
	}
	if s.Boundary != nil {
		fmt.Fprintf(&b, "boundary: %s\n", s.Boundary.document())
	}
	for l, lvl := range s.SCPs {
		for i, p := range lvl {
			fmt.Fprintf(&b, "scp-%d-%d: %s\n", l, i, p.document())
		}
	}
	req, _ := json.Marshal(rq)
	fmt.Fprintf(&b, "request: %s", req)
	return b.String()
}

// genCatalog is the catalog of the generated actions.
type genCatalog struct{}

func (genCatalog) Services() []string { return []string{"ec2", "iam", "s3", "sts"} }
func (genCatalog) Actions(prefix string) []string {
	var out []string
	for _, a := range genActions {
		if strings.HasPrefix(a, prefix+":") {
			out = append(out, a)
		}
	}
	return out
}

// narrowed returns a suggestion derived from outer as a rightsizer might,
// and sometimes wider than outer: statements kept, narrowed (fewer actions
// or resources, an added condition), widened (another resource or action)
// or added; Deny statements mostly kept.
func (g *gen) narrowed(outer nSet) nSet {
	in := nSet{Boundary: outer.Boundary}
	for _, p := range outer.Identity {
		q := nPolicy{Version: p.Version}
		for _, s := range p.Statements {
			if s.Deny {
				if g.chance(0.85) {
					q.Statements = append(q.Statements, s)
				}
				continue
			}
			s.Actions = append([]string(nil), s.Actions...)
			s.Resources = append([]string(nil), s.Resources...)
			s.Conds = append([]nCond(nil), s.Conds...)
			switch g.r.IntN(6) {
			case 0:
				if len(s.Actions) > 1 {
					s.Actions = s.Actions[:len(s.Actions)-1]
				}
			case 1:
				if len(s.Resources) > 1 {
					s.Resources = s.Resources[1:]
				}
			case 2:
				c := g.condition()
				if !slicesHasCond(s.Conds, c) {
					s.Conds = append(s.Conds, c)
				}
			case 3:
				s.Resources = append(s.Resources, g.pick(resourcePattern))
			case 4:
				s.Actions = append(s.Actions, g.pick(genActions))
			}
			q.Statements = append(q.Statements, s)
		}
		if g.chance(0.2) {
			q.Statements = append(q.Statements, g.statement(false))
		}
		if len(q.Statements) == 0 {
			q.Statements = append(q.Statements, nStmt{Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::b1/alice/x"}})
		}
		in.Identity = append(in.Identity, q)
	}
	return in
}

func slicesHasCond(cs []nCond, c nCond) bool {
	for _, d := range cs {
		if d.Op == c.Op && strings.EqualFold(d.Key, c.Key) {
			return true
		}
	}
	return false
}

// coversCases is the number of (current, suggestion) pairs the Covers
// property decides.
const coversCases = 2_000

// TestCoversSoundAgainstNaive checks that Covers never proves a suggestion
// grants no new access when it does: whenever Covers says Covered, every
// sampled request (every generated action on every generated resource,
// under several request contexts) that the naive evaluator allows under
// the suggestion, it allows under the current policies too. The policies
// hold variables that resolve and that do not, so a statement that cannot
// match never proves coverage.
func TestCoversSoundAgainstNaive(t *testing.T) {
	g := &gen{r: rand.New(rand.NewPCG(12, 3))}
	n := newNaive()
	verdicts := map[policy.Verdict]int{}
	checked := 0
	for i := 0; i < coversCases; i++ {
		outer := nSet{}
		for m := 1 + g.r.IntN(2); m > 0; m-- {
			outer.Identity = append(outer.Identity, g.policy(0.3, 3))
		}
		if g.chance(0.2) {
			b := g.policy(0.2, 2)
			outer.Boundary = &b
		}
		inner := g.narrowed(outer)
		cov := policy.Covers(genCatalog{}, parseSet(t, outer), parseSet(t, inner))
		verdicts[cov.Verdict]++
		if cov.Verdict != policy.Covered {
			continue
		}
		var ctxs []nReq
		for k := 0; k < 4; k++ {
			_, nr := g.request()
			ctxs = append(ctxs, nr)
		}
		for _, a := range reqActions {
			for _, r := range reqResources {
				for _, c := range ctxs {
					rq := nReq{Action: a, Resource: r, Context: c.Context}
					checked++
					if n.decide(inner, rq) == policy.Allowed && n.decide(outer, rq) != policy.Allowed {
						t.Fatalf("Covers proved a suggestion that allows %s on %s, which the current policies refuse (context %v)\ncurrent:\n%s\nsuggestion:\n%s",
							a, r, c.Context, caseJSON(outer, policy.Request{}), caseJSON(inner, policy.Request{}))
					}
				}
			}
		}
	}
	t.Logf("%d pairs: %d covered (%d requests checked), %d not covered, %d not proven",
		coversCases, verdicts[policy.Covered], checked, verdicts[policy.NotCovered], verdicts[policy.NotProven])
	if verdicts[policy.Covered] < coversCases/10 || verdicts[policy.Covered] == coversCases {
		t.Errorf("verdicts %v: the generator is lopsided", verdicts)
	}
}
