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
// elements: Condition operators" and "Conditions with multiple context keys
// or values"):
//   - a key absent from the request makes the clause false, or true for a
//     negated operator; ...IfExists makes it true; Null tests presence;
//   - ForAllValues holds when every request value matches some policy value
//     (vacuously true for an absent key or an empty set); ForAnyValue when
//     at least one does (false for an absent key or an empty set);
//   - without a set operator, a key with several values holds when any
//     value matches; a negated operator holds when none does.
func (ev *evaluator) clause(c *cclause) tri {
	if c.bad != nil {
		ev.missing = append(ev.missing, c.rawKey)
		return triUnknown
	}
	vals, present := ev.lookup(c.key, c.rawKey)
	if c.op.family == famNull {
		absent := !present || len(vals) == 0
		for i := range c.vals {
			if c.vals[i].ok && c.vals[i].flag == absent {
				return triTrue
			}
		}
		return triFalse
	}
	if !present {
		if c.op.ifExists {
			return triTrue
		}
		if !ev.req.ContextComplete {
			ev.missing = append(ev.missing, c.rawKey)
			return triUnknown
		}
		switch c.op.set {
		case setForAll:
			return triTrue
		case setForAny:
			return triFalse
		}
		if c.op.negated {
			return triTrue
		}
		return triFalse
	}

	// Resolve policy variables in the values once.
	var varBuf [4]string
	var varVals []string
	if c.hasVar {
		varVals = varBuf[:0]
		for i := range c.vals {
			v := &c.vals[i]
			toks := v.pat.toks
			if c.op.family == famARN {
				toks = nil
				for k := range v.arn {
					toks = append(toks, v.arn[k].toks...)
				}
			}
			for j := range toks {
				if toks[j].kind != tVar {
					continue
				}
				s, r := ev.variable(&toks[j])
				if r != triTrue {
					return r
				}
				varVals = append(varVals, s)
			}
		}
	}

	// anyMatch reports whether request value x matches any policy value.
	anyMatch := func(x string) bool {
		vi := 0
		for i := range c.vals {
			v := &c.vals[i]
			n := v.pat.vars
			if c.op.family == famARN {
				n = 0
				for k := range v.arn {
					n += v.arn[k].vars
				}
			}
			var vv []string
			if n > 0 {
				vv = varVals[vi : vi+n]
				vi += n
			}
			if v.ok && c.op.matchValue(v, x, vv) {
				return true
			}
		}
		return false
	}

	switch c.op.set {
	case setForAll:
		for _, x := range vals {
			if anyMatch(x) == c.op.negated {
				return triFalse
			}
		}
		return triTrue
	case setForAny:
		for _, x := range vals {
			if anyMatch(x) != c.op.negated {
				return triTrue
			}
		}
		return triFalse
	}
	m := false
	for _, x := range vals {
		if anyMatch(x) {
			m = true
			break
		}
	}
	if m != c.op.negated {
		return triTrue
	}
	return triFalse
}

// matchValue reports whether request value x matches policy value v under
// the operator's positive comparison. vars holds v's variable values.
func (o opInfo) matchValue(v *cvalue, x string, vars []string) bool {
	switch o.family {
	case famString:
		switch o.cmp {
		case cmpEqFold:
			if len(vars) == 0 {
				return strings.EqualFold(x, v.raw)
			}
			return strings.EqualFold(x, substitute(&v.pat, vars))
		case cmpLike:
			return v.pat.match(x, vars)
		}
		if len(vars) == 0 {
			return x == v.raw
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
