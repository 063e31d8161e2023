package policy

import (
	"bytes"
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
)

// conditions decides the statement's Condition block: every clause must
// hold. It evaluates every clause up to the first false one, so that all
// missing keys are reported.
func (ev *evaluator) conditions(s *cstmt) tri {
	r := triTrue
	for i := range s.conds {
		r = and(r, ev.clause(&s.conds[i]))
		if r == triFalse {
			return triFalse
		}
	}
	return r
}

// clause decides one condition clause (IAM User Guide, "IAM JSON policy
// elements: Condition operators", "Conditions with multiple context keys or
// values" and "Single-valued vs. multivalued context keys"):
//   - a key absent from the request (or given with no value) makes the
//     clause false, or true for a negated operator; ...IfExists makes it
//     true; Null tests presence;
//   - ForAllValues holds when every request value matches some policy value
//     (vacuously true for an absent key); ForAnyValue when at least one
//     does (false for an absent key, with or without IfExists);
//   - without a set operator, a key with several values holds when any
//     value matches; a negated operator holds when none does (the values
//     of one key are ORed, and NORed for a negated operator);
//   - a policy value holding a variable that does not resolve is
//     "effectively null": it matches no request value, and so a negated
//     operator holds against it, while the clause's other values still
//     count (IAM User Guide, "IAM policy elements: Variables and tags",
//     Policy variables with no value).
func (ev *evaluator) clause(c *cclause) tri {
	if c.bad != nil {
		ev.missing = append(ev.missing, c.rawKey)
		return triUnknown
	}
	vals, given := ev.lookup(c.key, c.rawKey)
	present := given && len(vals) > 0
	if c.op.family == famNull {
		for i := range c.vals {
			if c.vals[i].ok && c.vals[i].flag == !present {
				return triTrue
			}
		}
		return triFalse
	}
	if !present {
		switch {
		case c.op.set == setNone && c.op.ifExists:
			return triTrue
		case !ev.req.ContextComplete && !given:
			// IfExists does not change a set operator on an absent key,
			// so ForAnyValue:...IfExists is as unknown as ForAnyValue.
			ev.missing = append(ev.missing, c.rawKey)
			return triUnknown
		case c.op.set == setForAll:
			return triTrue
		case c.op.set == setForAny:
			return triFalse
		case c.op.negated:
			return triTrue
		}
		return triFalse
	}

	// Resolve the policy variables of each value once: a value is usable
	// (resolved), null (a variable does not resolve) or unknown (a
	// variable's key was not given).
	var varBuf [4]string
	var varVals []string
	var stateBuf [8]tri
	var state []tri
	if c.hasVar {
		varVals = varBuf[:0]
		state = stateBuf[:0]
		if len(c.vals) > len(stateBuf) {
			state = make([]tri, 0, len(c.vals))
		}
		st := triTrue
		resolve := func(p *pattern) {
			for j := range p.toks {
				if p.toks[j].kind != tVar {
					continue
				}
				s, r := ev.variable(&p.toks[j])
				switch {
				case r == triFalse:
					st = triFalse
				case r == triUnknown && st == triTrue:
					st = triUnknown
				}
				varVals = append(varVals, s)
			}
		}
		for i := range c.vals {
			v := &c.vals[i]
			st = triTrue
			if c.op.family == famARN {
				for k := range v.arn {
					resolve(&v.arn[k])
				}
			} else {
				resolve(&v.pat)
			}
			state = append(state, st)
		}
	}

	// anyMatch decides whether request value x matches some policy value.
	anyMatch := func(x string) tri {
		r := triFalse
		vi := 0
		for i := range c.vals {
			v := &c.vals[i]
			n := v.varCount(c.op.family)
			var vv []string
			if n > 0 {
				vv = varVals[vi : vi+n]
				vi += n
			}
			if !v.ok {
				continue
			}
			if state != nil && state[i] != triTrue {
				if state[i] == triUnknown {
					r = or(r, triUnknown)
				}
				continue // null: matches nothing
			}
			if c.op.matchValue(v, x, vv) {
				return triTrue
			}
		}
		return r
	}
	// each decides the operator, negation included, for one request value.
	each := func(x string) tri {
		if c.op.negated {
			return not(anyMatch(x))
		}
		return anyMatch(x)
	}

	switch c.op.set {
	case setForAll:
		r := triTrue
		for _, x := range vals {
			if r = and(r, each(x)); r == triFalse {
				break
			}
		}
		return r
	case setForAny:
		r := triFalse
		for _, x := range vals {
			if r = or(r, each(x)); r == triTrue {
				break
			}
		}
		return r
	}
	m := triFalse
	for _, x := range vals {
		if m = or(m, anyMatch(x)); m == triTrue {
			break
		}
	}
	if c.op.negated {
		return not(m)
	}
	return m
}

// varCount returns the number of policy variables of the value.
func (v *cvalue) varCount(fam opFamily) int {
	if fam != famARN {
		return v.pat.vars
	}
	n := 0
	for k := range v.arn {
		n += v.arn[k].vars
	}
	return n
}

// matchValue reports whether request value x matches policy value v under
// the operator's positive comparison. vars holds v's variable values.
func (o opInfo) matchValue(v *cvalue, x string, vars []string) bool {
	switch o.family {
	case famString:
		switch o.cmp {
		case cmpEqFold:
			if len(vars) == 0 {
				return strings.EqualFold(x, v.text)
			}
			return strings.EqualFold(x, substitute(&v.pat, vars))
		case cmpLike:
			return v.pat.match(x, vars)
		}
		if len(vars) == 0 {
			return x == v.text
		}
		return v.pat.match(x, vars)
	case famARN:
		return matchARN(&v.arn, x, vars)
	case famNumeric:
		n, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return false
		}
		return compareOrdered(o.cmp, n, v.num)
	case famDate:
		t, ok := parseDate(x)
		if !ok {
			return false
		}
		return compareOrdered(o.cmp, t.UnixNano(), v.t.UnixNano())
	case famBool:
		return strings.EqualFold(x, v.raw)
	case famBinary:
		b, err := base64.StdEncoding.DecodeString(x)
		if err != nil {
			b = []byte(x)
		}
		return bytes.Equal(b, v.bin)
	case famIP:
		a, err := netip.ParseAddr(x)
		if err != nil {
			return false
		}
		return v.ip.Contains(a.Unmap())
	}
	return false
}

func compareOrdered[T int64 | float64](c opCmp, x, v T) bool {
	switch c {
	case cmpLT:
		return x < v
	case cmpLE:
		return x <= v
	case cmpGT:
		return x > v
	case cmpGE:
		return x >= v
	}
	return x == v
}

// substitute returns the text of a variable-bearing literal pattern with
// its variables replaced.
func substitute(p *pattern, vars []string) string {
	var b strings.Builder
	vi := 0
	for _, t := range p.toks {
		switch t.kind {
		case tVar:
			b.WriteString(vars[vi])
			vi++
		default:
			b.WriteString(t.text)
		}
	}
	return b.String()
}
