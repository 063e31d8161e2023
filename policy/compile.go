package policy

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// compiledPolicy is a policy prepared for evaluation: lowercased action
// patterns, compiled wildcard matchers, parsed condition values.
type compiledPolicy struct {
	stmts []cstmt
	name  string // Policy.Name, set by Covers
}

// cstmt is a compiled statement.
type cstmt struct {
	st        *Statement
	idx       int
	deny      bool
	notAction bool
	actions   []pattern
	// byService indexes, for statements with many action patterns, the
	// patterns whose service prefix has no wildcard by that prefix (lower
	// case); wildService lists the others.
	byService   map[string][]int32
	wildService []int32
	anyResource bool // no Resource or NotResource element
	notResource bool
	resources   []pattern
	conds       []cclause
	vars        bool // the policy supports variables
}

// cclause is a compiled condition clause.
type cclause struct {
	op     opInfo
	bad    error // the operator did not parse: the clause is always unknown
	key    string
	rawKey string
	vals   []cvalue
	hasVar bool
	vars   bool // values may hold policy variables
}

// cvalue is one parsed condition value.
type cvalue struct {
	raw  string
	text string     // String values without variables: the text, escapes (${*}) replaced
	pat  pattern    // string values (with variables) and StringLike patterns
	arn  [6]pattern // ArnLike segments
	ok   bool       // the value parsed for its family
	num  float64
	t    time.Time
	ip   netip.Prefix
	bin  []byte
	flag bool // Bool and Null: the value is "true"
}

// Compile prepares p for evaluation and keeps the result, so that later
// calls of [Evaluate] and [Covers] do not redo the work. [Parse] calls it.
// Call it again after changing p. It reports unknown condition operators;
// a clause with one is evaluated as unknown.
func (p *Policy) Compile() error {
	c, err := compile(p)
	p.compiled = c
	return err
}

// compiledForm returns the compiled policy, compiling it afresh when p was
// not compiled.
func (p *Policy) compiledForm() *compiledPolicy {
	if p.compiled != nil {
		return p.compiled
	}
	c, _ := compile(p)
	return c
}

func compile(p *Policy) (*compiledPolicy, error) {
	vars := p.Version == Version2012
	c := &compiledPolicy{stmts: make([]cstmt, len(p.Statements))}
	var errs []error
	for i := range p.Statements {
		st := &p.Statements[i]
		cs := &c.stmts[i]
		*cs = cstmt{st: st, idx: i, deny: st.Effect == Deny, vars: vars}
		// A statement with neither Action nor NotAction (only possible when
		// built by hand) covers no action.
		acts := st.Action
		if len(acts) == 0 && len(st.NotAction) > 0 {
			acts, cs.notAction = st.NotAction, true
		}
		cs.actions = make([]pattern, len(acts))
		for j, a := range acts {
			cs.actions[j] = compilePattern(a, modeAction, false)
		}
		if len(acts) >= indexThreshold {
			cs.indexActions()
		}
		res := st.Resource
		switch {
		case len(res) > 0:
		case len(st.NotResource) > 0:
			res, cs.notResource = st.NotResource, true
		default:
			cs.anyResource = true
		}
		cs.resources = make([]pattern, len(res))
		for j, r := range res {
			cs.resources[j] = compilePattern(r, modeResource, vars)
		}
		cs.conds = make([]cclause, len(st.Condition))
		for j, cl := range st.Condition {
			cc, err := compileClause(cl, vars)
			if err != nil {
				errs = append(errs, fmt.Errorf("statement %d: %w", i, err))
			}
			cs.conds[j] = cc
		}
	}
	return c, errors.Join(errs...)
}

// indexThreshold is the number of action patterns from which a statement
// indexes them by service prefix.
const indexThreshold = 16

func (cs *cstmt) indexActions() {
	cs.byService = map[string][]int32{}
	for j, a := range cs.actions {
		svc, _, ok := strings.Cut(a.raw, ":")
		if !ok || strings.ContainsAny(svc, "*?") {
			cs.wildService = append(cs.wildService, int32(j))
			continue
		}
		svc = asciiLower(svc)
		cs.byService[svc] = append(cs.byService[svc], int32(j))
	}
}

func compileClause(cl Clause, vars bool) (cclause, error) {
	op, err := parseOperator(cl.Operator)
	cc := cclause{op: op, bad: err, key: strings.ToLower(cl.Key), rawKey: cl.Key}
	if err != nil {
		return cc, err
	}
	vars = vars && op.variablesAllowed()
	cc.vars = vars
	cc.vals = make([]cvalue, len(cl.Values))
	for i, raw := range cl.Values {
		v := cvalue{raw: raw}
		switch op.family {
		case famString:
			mode := modeLiteral
			if op.cmp == cmpLike {
				mode = modeString
			}
			v.pat = compilePattern(raw, mode, vars)
			v.text, _ = v.pat.literal()
			v.ok = true
		case famARN:
			v.arn, v.ok = compileARN(raw, vars)
		case famNumeric:
			n, err := strconv.ParseFloat(raw, 64)
			v.num, v.ok = n, err == nil
		case famDate:
			v.t, v.ok = parseDate(raw)
		case famBool, famNull:
			v.flag = strings.EqualFold(raw, "true")
			v.ok = v.flag || strings.EqualFold(raw, "false")
		case famBinary:
			b, err := base64.StdEncoding.DecodeString(raw)
			if err != nil {
				b = []byte(raw)
			}
			v.bin, v.ok = b, true
		case famIP:
			v.ip, v.ok = parseIPPrefix(raw)
		}
		if v.pat.vars > 0 {
			cc.hasVar = true
		}
		for k := range v.arn {
			if v.arn[k].vars > 0 {
				cc.hasVar = true
			}
		}
		cc.vals[i] = v
	}
	return cc, nil
}

// compileARN splits an ArnLike value into its six colon-separated
// components, each a wildcard pattern. A lone "*" matches any ARN; any
// other value with fewer than six components matches none.
func compileARN(raw string, vars bool) ([6]pattern, bool) {
	var segs [6]pattern
	if raw == "*" {
		segs[0] = compilePattern("*", modeString, false)
		return segs, true
	}
	whole := compilePattern(raw, modeString, vars)
	n := 0
	for _, t := range whole.toks {
		if t.kind != tLit || n == 5 {
			segs[n].toks = append(segs[n].toks, t)
			if t.kind == tVar {
				segs[n].vars++
			}
			continue
		}
		text := t.text
		for n < 5 {
			i := strings.IndexByte(text, ':')
			if i < 0 {
				break
			}
			if i > 0 {
				segs[n].toks = append(segs[n].toks, token{kind: tLit, text: text[:i]})
			}
			text = text[i+1:]
			n++
		}
		if text != "" {
			segs[n].toks = append(segs[n].toks, token{kind: tLit, text: text})
		}
	}
	for i := range segs {
		segs[i].raw = raw
	}
	return segs, n == 5
}

// matchARN matches an ARN against compiled ArnLike segments; vals holds the
// variable values of all segments in order.
func matchARN(segs *[6]pattern, s string, vals []string) bool {
	if segs[0].raw == "*" { // the lone "*" of compileARN
		return true
	}
	vi := 0
	for i := 0; i < 6; i++ {
		var part string
		if i < 5 {
			j := strings.IndexByte(s, ':')
			if j < 0 {
				return false
			}
			part, s = s[:j], s[j+1:]
		} else {
			part = s
		}
		n := segs[i].vars
		if !segs[i].match(part, vals[vi:vi+n]) {
			return false
		}
		vi += n
	}
	return true
}

// dateLayouts are the ISO 8601 forms IAM accepts in Date conditions.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseDate parses an ISO 8601 date or time, or a number of seconds since
// the epoch.
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "-:T") {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseIPPrefix parses a CIDR block or a single address.
func parseIPPrefix(s string) (netip.Prefix, bool) {
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}
