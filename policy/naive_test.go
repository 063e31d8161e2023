package policy_test

// This file is a deliberately naive IAM evaluator, written from AWS's
// documentation alone, for the property test to check Evaluate against. It
// shares no code with the policy package: it works on its own statement
// type, turns wildcards into regular expressions, substitutes variables by
// string replacement, and decides conditions by the tables of the IAM User
// Guide. It is slow and only handles what the generator makes.

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/tailor-sec/tailor/policy"
)

// nPolicy is one policy document as the generator builds it.
type nPolicy struct {
	Version    string
	Statements []nStmt
}

type nStmt struct {
	Deny        bool
	Actions     []string
	NotAction   bool
	Resources   []string
	NotResource bool
	Conds       []nCond
}

type nCond struct {
	Op     string // as written: "ForAnyValue:StringEqualsIfExists"
	Key    string
	Values []string
}

// nSet is the policies that apply to one principal.
type nSet struct {
	Identity []nPolicy
	Boundary *nPolicy
	SCPs     [][]nPolicy
}

// nReq is one request: the action, the resource and the whole request
// context, keys lower case (context key names are case-insensitive: IAM User
// Guide, "Request information that you can use for policy variables").
type nReq struct {
	Action   string
	Resource string
	Context  map[string][]string
}

// naive holds the regular expressions already built: by expression, and
// by the wildcard pattern they were built from.
type naive struct {
	re   map[string]*regexp.Regexp
	glob map[string]*regexp.Regexp
}

func newNaive() *naive {
	return &naive{re: map[string]*regexp.Regexp{}, glob: map[string]*regexp.Regexp{}}
}

// globMatch matches s against a pattern without variables; build makes its
// expression the first time.
func (n *naive) globMatch(key string, build func() string, s string) bool {
	r, ok := n.glob[key]
	if !ok {
		r = regexp.MustCompile("^(?s:" + build() + ")$")
		n.glob[key] = r
	}
	return r.MatchString(s)
}

func (n *naive) match(expr, s string) bool {
	r, ok := n.re[expr]
	if !ok {
		r = regexp.MustCompile("^(?s:" + expr + ")$")
		n.re[expr] = r
	}
	return r.MatchString(s)
}

// decide follows "Policy evaluation logic" (IAM User Guide): an explicit
// Deny in any policy wins; otherwise an identity-based policy must allow,
// and so must the permissions boundary (when there is one) and every level
// of SCPs. sts:GetCallerIdentity needs no permission and cannot be denied
// (STS API Reference, GetCallerIdentity).
func (n *naive) decide(set nSet, rq nReq) policy.Outcome {
	rq.Action = strings.ToLower(rq.Action)
	if rq.Action == "sts:getcalleridentity" {
		return policy.Allowed
	}
	all := append([]nPolicy(nil), set.Identity...)
	if set.Boundary != nil {
		all = append(all, *set.Boundary)
	}
	for _, lvl := range set.SCPs {
		all = append(all, lvl...)
	}
	for _, p := range all {
		for _, s := range p.Statements {
			if s.Deny && n.applies(p, s, rq) {
				return policy.ExplicitDeny
			}
		}
	}
	allows := func(ps []nPolicy) bool {
		for _, p := range ps {
			for _, s := range p.Statements {
				if !s.Deny && n.applies(p, s, rq) {
					return true
				}
			}
		}
		return false
	}
	if !allows(set.Identity) {
		return policy.ImplicitDeny
	}
	if set.Boundary != nil && !allows([]nPolicy{*set.Boundary}) {
		return policy.ImplicitDeny
	}
	for _, lvl := range set.SCPs {
		if !allows(lvl) {
			return policy.ImplicitDeny
		}
	}
	return policy.Allowed
}

func (n *naive) applies(p nPolicy, s nStmt, rq nReq) bool {
	vars := p.Version == "2012-10-17"
	// Action: case-insensitive, '*' any run, '?' any one character (IAM
	// User Guide, "IAM JSON policy elements: Action").
	am := false
	for _, a := range s.Actions {
		if n.globMatch("action "+a, func() string { return globExpr(strings.ToLower(a), ".*", ".") }, rq.Action) {
			am = true
		}
	}
	if am == s.NotAction {
		return false
	}
	// Resource: any entry matches; NotResource: no entry does.
	rm := false
	for _, r := range s.Resources {
		if n.resourceMatch(r, rq, vars) {
			rm = true
		}
	}
	if rm == s.NotResource {
		return false
	}
	for _, c := range s.Conds {
		if !n.condition(c, rq, vars) {
			return false
		}
	}
	return true
}

// globExpr turns a wildcard pattern into a regular expression: star and one
// are what '*' and '?' become; everything else is literal.
func globExpr(pat, star, one string) string {
	var b strings.Builder
	for _, r := range pat {
		switch r {
		case '*':
			b.WriteString(star)
		case '?':
			b.WriteString(one)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	return b.String()
}

// variable resolves the policy variable body ("aws:username" or
// "aws:username, 'default'"): the key's single value, else the default
// (IAM User Guide, "Specifying default values"). A key with several values
// does not resolve ("you can't use a multivalued context key as a policy
// variable").
func variable(body string, ctx map[string][]string) (string, bool) {
	key, def, hasDef := body, "", false
	if i := strings.Index(body, ","); i >= 0 {
		key = body[:i]
		d := strings.TrimSpace(body[i+1:])
		def, hasDef = strings.ReplaceAll(d[1:len(d)-1], "''", "'"), true
	}
	key = strings.ToLower(strings.TrimSpace(key))
	switch key {
	case "*", "?", "$": // the escapes ${*} ${?} ${$}
		return key, true
	}
	if v := ctx[key]; len(v) == 1 {
		return v[0], true
	}
	return def, hasDef
}

// expand turns pattern text into a regular expression, substituting the
// variables that start at or after offset from: their values are literal
// text. wild gives the expression for '*' or '?' at byte i of text. It
// reports false when a variable does not resolve.
func expand(text string, from int, ctx map[string][]string, wild func(text string, i int) string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '$' && i >= from && i+1 < len(text) && text[i+1] == '{' {
			if end := strings.IndexByte(text[i:], '}'); end > 0 {
				v, ok := variable(text[i+2:i+end], ctx)
				if !ok {
					return "", false
				}
				b.WriteString(regexp.QuoteMeta(v))
				i += end
				continue
			}
		}
		if c == '*' || c == '?' {
			b.WriteString(wild(text, i))
			continue
		}
		b.WriteString(regexp.QuoteMeta(string(c)))
	}
	return b.String(), true
}

// substitute replaces the variables of text that start at or after offset
// from by their values; it reports false when one does not resolve.
func substitute(text string, from int, ctx map[string][]string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		if text[i] == '$' && i >= from && i+1 < len(text) && text[i+1] == '{' {
			if end := strings.IndexByte(text[i:], '}'); end > 0 {
				v, ok := variable(text[i+2:i+end], ctx)
				if !ok {
					return "", false
				}
				b.WriteString(v)
				i += end
				continue
			}
		}
		b.WriteByte(text[i])
	}
	return b.String(), true
}

// resourceMatch matches one Resource entry. IAM User Guide, "IAM JSON policy
// elements: Resource": '*' and '?' stay within an ARN segment, except a '*'
// that ends a segment, which may reach across colons. "IAM policy elements:
// Variables and tags": variables only in the resource part, after the fifth
// colon; an entry whose variable has no value matches no resource.
func (n *naive) resourceMatch(pat string, rq nReq, vars bool) bool {
	from := len(pat) + 1
	if vars {
		if parts := strings.SplitN(pat, ":", 6); len(parts) == 6 {
			from = len(pat) - len(parts[5])
		}
	} else {
		from = len(pat) + 1
	}
	wild := func(text string, i int) string {
		if text[i] == '?' {
			return "[^:]"
		}
		if i+1 == len(text) || text[i+1] == ':' {
			return ".*"
		}
		return "[^:]*"
	}
	if from > len(pat) || !strings.Contains(pat[from:], "${") {
		return n.globMatch("resource "+pat, func() string {
			expr, _ := expand(pat, len(pat)+1, nil, wild)
			return expr
		}, rq.Resource)
	}
	expr, ok := expand(pat, from, rq.Context, wild)
	return ok && n.match(expr, rq.Resource)
}

// condition decides one clause, from the IAM User Guide: "Condition
// operators" (the operator families, ...IfExists, Null), "Conditions with
// multiple context keys or values" (values ORed, NORed for negated
// operators), "Single-valued vs. multivalued context keys" (ForAllValues is
// true and ForAnyValue false for an absent key) and "Policy variables with
// no value" (a value whose variable has no value matches nothing).
func (n *naive) condition(c nCond, rq nReq, vars bool) bool {
	op := c.Op
	set := ""
	if i := strings.Index(op, ":"); i >= 0 {
		set, op = op[:i], op[i+1:]
	}
	ifExists := strings.HasSuffix(op, "IfExists")
	op = strings.TrimSuffix(op, "IfExists")
	negated := strings.Contains(op, "Not")
	base := strings.Replace(op, "Not", "", 1)

	have := rq.Context[strings.ToLower(c.Key)]
	if base == "Null" {
		for _, v := range c.Values {
			if v == "true" && len(have) == 0 || v == "false" && len(have) > 0 {
				return true
			}
		}
		return false
	}
	if len(have) == 0 {
		switch {
		case set == "ForAllValues":
			return true
		case set == "ForAnyValue":
			return false
		case ifExists:
			return true
		}
		return negated
	}
	// Variables are substituted in String and ARN values only ("You can't
	// use a policy variable with ... Numeric, Date, Boolean, Binary, IP
	// Address, or Null operators").
	vars = vars && (strings.HasPrefix(base, "String") || strings.HasPrefix(base, "Arn"))
	from := 0
	if !vars {
		from = math.MaxInt
	}
	matchOne := func(x string) bool {
		for _, v := range c.Values {
			switch base {
			case "StringEquals", "StringEqualsIgnoreCase":
				expr, ok := expand(v, from, rq.Context, func(text string, i int) string { return regexp.QuoteMeta(text[i : i+1]) })
				if !ok {
					continue // null: no equal value
				}
				if base == "StringEquals" && n.match(expr, x) ||
					base == "StringEqualsIgnoreCase" && n.match("(?i:"+expr+")", x) {
					return true
				}
			case "StringLike":
				expr, ok := expand(v, from, rq.Context, func(text string, i int) string {
					if text[i] == '*' {
						return ".*"
					}
					return "."
				})
				if ok && n.match(expr, x) {
					return true
				}
			case "ArnLike", "ArnEquals":
				// Each of the six colon-separated parts is matched on its
				// own, with '*' and '?' as in StringLike.
				// The generator's variable values hold no colon and no
				// wildcard, so substituting before splitting is exact.
				sub, resolved := substitute(v, from, rq.Context)
				if !resolved {
					continue
				}
				ps, xs := strings.SplitN(sub, ":", 6), strings.SplitN(x, ":", 6)
				if len(ps) != 6 || len(xs) != 6 {
					continue
				}
				ok := true
				for k := range ps {
					if !n.match(globExpr(ps[k], ".*", "."), xs[k]) {
						ok = false
					}
				}
				if ok {
					return true
				}
			case "NumericLessThan":
				a, err1 := strconv.ParseFloat(x, 64)
				b, err2 := strconv.ParseFloat(v, 64)
				if err1 == nil && err2 == nil && a < b {
					return true
				}
			case "Bool":
				if (strings.EqualFold(v, "true") || strings.EqualFold(v, "false")) && strings.EqualFold(x, v) {
					return true
				}
			default:
				panic("naive: operator " + c.Op)
			}
		}
		return false
	}
	switch set {
	case "ForAllValues":
		for _, x := range have {
			if matchOne(x) == negated {
				return false
			}
		}
		return true
	case "ForAnyValue":
		for _, x := range have {
			if matchOne(x) != negated {
				return true
			}
		}
		return false
	}
	any := false
	for _, x := range have {
		if matchOne(x) {
			any = true
		}
	}
	return any != negated
}
