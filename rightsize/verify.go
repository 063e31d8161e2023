package rightsize

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tailor-sec/tailor/policy"
)

// maxContexts is the number of request contexts tried for one observed
// request whose outcome depends on condition keys the logs do not hold.
const maxContexts = 64

// request is one observed request: an action on a resource ("*" when the
// calls touched none of the action's type) in a region.
type request struct{ action, resource, region string }

// observedRequests lists the distinct requests of the successful calls in
// the window, sorted.
func (rs *Rightsizer) observedRequests(o *observed) []request {
	var out []request
	for _, id := range sortedIDs(o.used) {
		u := o.used[id]
		a := rs.acts.names[id]
		for _, r := range slices.Sorted(maps.Keys(u.res)) {
			for _, reg := range slices.Sorted(maps.Keys(u.res[r])) {
				out = append(out, request{a, r, reg})
			}
		}
		for _, reg := range slices.Sorted(maps.Keys(u.bare)) {
			out = append(out, request{a, "*", reg})
		}
	}
	return out
}

// verify checks the two guarantees of a suggestion: it allows nothing
// today's policies do not (proved with policy.Covers), and every observed
// request today's policies allow it still allows (policy.Evaluate on
// both, in every sampled context when the outcome depends on keys the
// logs do not hold).
func (rs *Rightsizer) verify(s *Subject, docs []*policy.Policy, o *observed) (Verification, error) {
	var v Verification
	current := policy.PolicySet{Identity: s.Identity, Boundary: s.Boundary}
	suggested := policy.PolicySet{Identity: docs, Boundary: s.Boundary}
	cov := policy.Covers(rs.acts, current, suggested)
	if cov.Verdict != policy.Covered {
		g := cov.Gaps[0]
		for _, x := range cov.Gaps {
			if x.Certain {
				g = x
				break
			}
		}
		return v, &VerifyError{Principal: s.ARN, Check: CheckNoNewAccess, Gaps: cov.Gaps,
			Counterexample: fmt.Sprintf("%s: the suggestion allows %s on %s, and today's policies %s (%s)",
				cov.Verdict, g.Action, g.Resource, map[bool]string{true: "do not", false: "may not"}[g.Certain], g.Reason)}
	}
	v.NoNewAccess = true

	sampler := newSampler(current)
	for i, rq := range rs.observedRequests(o) {
		v.ObservedRequests++
		req := s.request(rq)
		dc := policy.Evaluate(req, current)
		switch dc.Outcome {
		case policy.ImplicitDeny, policy.ExplicitDeny:
			v.NotAllowedToday++
			continue
		case policy.Allowed:
			v.AllowedToday++
			if ds := policy.Evaluate(req, suggested); ds.Outcome != policy.Allowed {
				return v, observedError(s, rq, dc, ds, nil)
			}
			continue
		}
		v.AllowedToday++
		for _, ctx := range sampler.contexts(dc.Missing, uint64(i)) {
			v.ContextsSampled++
			r := req
			r.ContextComplete = true
			r.Context = maps.Clone(req.Context)
			maps.Copy(r.Context, ctx)
			if dc := policy.Evaluate(r, current); dc.Outcome == policy.Allowed {
				if ds := policy.Evaluate(r, suggested); ds.Outcome != policy.Allowed {
					return v, observedError(s, rq, dc, ds, ctx)
				}
			}
		}
	}
	return v, nil
}

func observedError(s *Subject, rq request, dc, ds policy.Decision, ctx map[string][]string) error {
	msg := fmt.Sprintf("%s on %s in %s: allowed today (%s), %s by the suggestion", rq.action, rq.resource, rq.region, dc.Statement, ds.Outcome)
	if len(ctx) > 0 {
		keys := slices.Sorted(maps.Keys(ctx))
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+"="+strings.Join(ctx[k], ","))
		}
		msg += " with context " + strings.Join(parts, " ")
	}
	return &VerifyError{Principal: s.ARN, Check: CheckObserved, Counterexample: msg}
}

// request is the policy.Request of an observed request: what the index
// tells of the caller and the region; other keys are unknown.
func (s *Subject) request(rq request) policy.Request {
	req := policy.Request{Action: rq.action, Resource: rq.resource, Caller: policy.Caller{ARN: s.ARN, Account: s.account()}}
	switch s.Kind {
	case "user":
		req.Caller.Username = s.Name
		req.Caller.Type = "User"
	case "role":
		req.Caller.Type = "AssumedRole"
	}
	if rq.region != "" {
		req.Context = map[string][]string{"aws:RequestedRegion": {rq.region}}
	}
	return req
}

// sampler makes request contexts from the condition values of a policy
// set: for each key, values that satisfy each clause on it (and some that
// do not), and the key's absence.
type sampler struct {
	values map[string][]string // by lowercase key
}

const absent = "\x00absent"

func newSampler(set policy.PolicySet) *sampler {
	sm := &sampler{values: map[string][]string{}}
	add := func(p *policy.Policy) {
		if p == nil {
			return
		}
		for _, st := range p.Statements {
			for _, c := range st.Condition {
				k := strings.ToLower(c.Key)
				sm.values[k] = append(sm.values[k], candidates(c)...)
			}
		}
	}
	for _, p := range set.Identity {
		add(p)
	}
	add(set.Boundary)
	for k, vs := range sm.values {
		slices.Sort(vs)
		sm.values[k] = slices.Compact(vs)
	}
	return sm
}

// candidates returns request values for a clause's key: ones that satisfy
// its values, and neighbours that may not.
func candidates(c policy.Clause) []string {
	op := strings.TrimPrefix(strings.TrimPrefix(c.Operator, "ForAnyValue:"), "ForAllValues:")
	op = strings.TrimSuffix(op, "IfExists")
	out := []string{"tailor-sample"}
	for _, v := range c.Values {
		if strings.Contains(v, "${") {
			continue
		}
		switch {
		case strings.HasPrefix(op, "Numeric"):
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				for _, x := range []float64{f - 1, f, f + 1} {
					out = append(out, strconv.FormatFloat(x, 'f', -1, 64))
				}
			}
		case strings.HasPrefix(op, "Date"):
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				for _, x := range []time.Time{t.Add(-time.Second), t, t.Add(time.Second)} {
					out = append(out, x.UTC().Format(time.RFC3339))
				}
			} else {
				out = append(out, v)
			}
		case strings.HasPrefix(op, "Bool"), op == "Null":
			out = append(out, "true", "false")
		case strings.HasSuffix(op, "IpAddress"):
			if p, err := netip.ParsePrefix(v); err == nil {
				out = append(out, p.Addr().String())
			} else if a, err := netip.ParseAddr(v); err == nil {
				out = append(out, a.String())
			}
			out = append(out, "198.51.100.7")
		default: // String, Arn, Binary
			out = append(out, strings.NewReplacer("*", "x", "?", "x").Replace(v))
		}
	}
	return out
}

// contexts returns up to maxContexts contexts over the keys: every
// combination of their candidate values and absence when there are few
// enough, else a deterministic sample of them.
func (sm *sampler) contexts(keys []string, seed uint64) []map[string][]string {
	type choice struct {
		key  string
		vals []string
	}
	var cs []choice
	total := 1
	for _, k := range keys {
		vals := append([]string{absent}, sm.values[strings.ToLower(k)]...)
		if len(sm.values[strings.ToLower(k)]) == 0 {
			vals = append(vals, "tailor-sample")
		}
		cs = append(cs, choice{k, vals})
		if total <= maxContexts {
			total *= len(vals)
		}
	}
	make1 := func(pick func(i int, n int) int) map[string][]string {
		ctx := map[string][]string{}
		for i, c := range cs {
			if v := c.vals[pick(i, len(c.vals))]; v != absent {
				ctx[c.key] = []string{v}
			}
		}
		return ctx
	}
	var out []map[string][]string
	if total <= maxContexts {
		for n := 0; n < total; n++ {
			x := n
			out = append(out, make1(func(_ int, k int) int { v := x % k; x /= k; return v }))
		}
		return out
	}
	r := rand.New(rand.NewPCG(seed, 0x7a11))
	for n := 0; n < maxContexts; n++ {
		out = append(out, make1(func(_ int, k int) int { return r.IntN(k) }))
	}
	return out
}
