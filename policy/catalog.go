package policy

import (
	"fmt"
	"slices"
	"strings"
)

// Catalog is the part of the IAM action catalog the policy package needs.
// *catalog.Catalog satisfies it.
type Catalog interface {
	// Services returns the service prefixes, lower case, sorted.
	Services() []string
	// Actions returns the actions of a service prefix in canonical case
	// ("s3:GetObject"), sorted; nil for an unknown prefix.
	Actions(prefix string) []string
}

// StatementActions returns the concrete actions statement st covers,
// sorted and without duplicates: its Action patterns expanded against the
// catalog, or, for NotAction, every catalog action that none of the
// patterns match. Matching ignores case, as IAM does. An action written
// without wildcards that the catalog does not know is kept as written,
// since the statement covers it all the same.
func StatementActions(cat Catalog, st *Statement) []string {
	pats, not := st.Action, false
	if len(pats) == 0 && len(st.NotAction) > 0 {
		pats, not = st.NotAction, true
	}
	comp := make([]pattern, len(pats))
	for i, a := range pats {
		comp[i] = compilePattern(a, modeAction, false)
	}
	var out []string
	if not {
		for _, svc := range cat.Services() {
			for _, a := range cat.Actions(svc) {
				if !matchAny(comp, a) {
					out = append(out, a)
				}
			}
		}
	} else {
		for i := range comp {
			out = append(out, expand(cat, &comp[i])...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// expand returns the catalog actions pattern p covers; for a literal the
// catalog does not know, the literal as written.
func expand(cat Catalog, p *pattern) []string {
	svc, _, hasColon := strings.Cut(p.raw, ":")
	if lit, ok := p.literal(); ok {
		if hasColon {
			for _, a := range cat.Actions(strings.ToLower(svc)) {
				if len(a) == len(lit) && p.eq(a, lit) {
					return []string{a}
				}
			}
		}
		return []string{p.raw}
	}
	var services []string
	svcPat := compilePattern(svc, modeAction, false)
	if !hasColon {
		services = cat.Services()
	} else if s, ok := svcPat.literal(); ok {
		services = []string{s}
	} else {
		for _, s := range cat.Services() {
			if svcPat.match(s, nil) {
				services = append(services, s)
			}
		}
	}
	var out []string
	for _, s := range services {
		for _, a := range cat.Actions(s) {
			if p.match(a, nil) {
				out = append(out, a)
			}
		}
	}
	return out
}

func matchAny(pats []pattern, s string) bool {
	for i := range pats {
		if pats[i].match(s, nil) {
			return true
		}
	}
	return false
}

// Warning is a problem in a policy that IAM may accept but that is likely a
// mistake: an unknown action, a condition value its operator cannot use.
type Warning struct {
	Statement int    // 0-based statement index, -1 for the whole policy
	Sid       string // Sid of the statement, if any
	Element   string // "Action", "Condition.NumericLessThan", ...
	Message   string
}

// String formats the warning as "statement N (Sid "S"): Element: message".
func (w Warning) String() string {
	var b strings.Builder
	if w.Statement >= 0 {
		fmt.Fprintf(&b, "statement %d", w.Statement)
		if w.Sid != "" {
			fmt.Fprintf(&b, " (Sid %q)", w.Sid)
		}
		b.WriteString(": ")
	}
	if w.Element != "" {
		b.WriteString(w.Element)
		b.WriteString(": ")
	}
	b.WriteString(w.Message)
	return b.String()
}

// Validate checks p against the catalog and the rules of the policy
// language and returns the warnings, in statement order. Unknown services
// and actions, wildcards that match no action, condition values that do
// not parse for their operator, duplicate Sids, policy variables in a
// policy whose Version does not support them and policy variables before
// the resource part of a Resource ARN (plain text there) are reported.
func (p *Policy) Validate(cat Catalog) []Warning {
	var ws []Warning
	if p.Version == "" {
		ws = append(ws, Warning{Statement: -1, Element: "Version", Message: "no Version: IAM applies 2008-10-17 rules, without policy variables"})
	}
	sids := map[string]int{}
	for i := range p.Statements {
		st := &p.Statements[i]
		warn := func(elem, format string, args ...any) {
			ws = append(ws, Warning{Statement: i, Sid: st.Sid, Element: elem, Message: fmt.Sprintf(format, args...)})
		}
		if st.Sid != "" {
			if j, dup := sids[st.Sid]; dup {
				warn("Sid", "Sid %q also used by statement %d", st.Sid, j)
			} else {
				sids[st.Sid] = i
			}
		}
		elem, acts := "Action", st.Action
		if len(acts) == 0 {
			elem, acts = "NotAction", st.NotAction
		}
		for _, a := range acts {
			if msg := checkAction(cat, a); msg != "" {
				warn(elem, "%s", msg)
			}
		}
		for _, r := range append(slices.Clone(st.Resource), st.NotResource...) {
			if strings.Contains(r, "${") && p.Version != Version2012 {
				warn("Resource", "%q: policy variables need Version %q; here they are plain text", r, Version2012)
			} else if i := strings.Index(r, "${"); i >= 0 && i < resourcePart(r) {
				warn("Resource", "%q: a policy variable before the fifth colon is plain text; variables stand only in the resource part of an ARN", r)
			}
		}
		for _, c := range st.Condition {
			op, err := parseOperator(c.Operator)
			if err != nil {
				warn("Condition", "%v", err)
				continue
			}
			for _, v := range c.Values {
				if msg := checkValue(op, v); msg != "" {
					warn("Condition."+c.Operator, "%s %q: %s", c.Key, v, msg)
				}
				if strings.Contains(v, "${") && op.variablesAllowed() && p.Version != Version2012 {
					warn("Condition."+c.Operator, "%s %q: policy variables need Version %q; here they are plain text", c.Key, v, Version2012)
				}
			}
		}
	}
	return ws
}

// checkAction returns why action pattern a looks wrong, or "".
func checkAction(cat Catalog, a string) string {
	if a == "*" {
		return ""
	}
	svc, name, ok := strings.Cut(a, ":")
	if !ok || svc == "" || name == "" {
		return fmt.Sprintf("%q is not of the form service:action", a)
	}
	p := compilePattern(a, modeAction, false)
	sp := compilePattern(svc, modeAction, false)
	if s, lit := sp.literal(); lit && cat.Actions(s) == nil {
		return fmt.Sprintf("%q: unknown service prefix %q", a, svc)
	}
	if _, lit := p.literal(); lit {
		if got := expand(cat, &p); len(got) == 1 && got[0] == a && !knownAction(cat, a) {
			return fmt.Sprintf("unknown action %q", a)
		}
		return ""
	}
	if len(expand(cat, &p)) == 0 {
		return fmt.Sprintf("%q matches no action", a)
	}
	return ""
}

func knownAction(cat Catalog, a string) bool {
	svc, _, _ := strings.Cut(a, ":")
	for _, x := range cat.Actions(strings.ToLower(svc)) {
		if strings.EqualFold(x, a) {
			return true
		}
	}
	return false
}

// checkValue returns why v is not a valid value for op, or "".
func checkValue(op opInfo, v string) string {
	switch op.family {
	case famNumeric:
		c, _ := compileClause(Clause{Operator: op.canonical(), Values: []string{v}}, false)
		if !c.vals[0].ok {
			return "not a number"
		}
	case famDate:
		if _, ok := parseDate(v); !ok {
			return "not an ISO 8601 date or epoch time"
		}
	case famIP:
		if _, ok := parseIPPrefix(v); !ok {
			return "not an IP address or CIDR block"
		}
	case famBool, famNull:
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return "not true or false"
		}
	case famARN:
		if _, ok := compileARN(v, true); !ok {
			return "not an ARN of six colon-separated parts"
		}
	}
	return ""
}
