package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// MarshalJSON implements json.Marshaler with a canonical, compact form:
// keys in the order Version, Id, Statement; statement keys in the order
// Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource,
// NotResource, Condition; Statement always a list; a list of one string
// written as the string; condition operators and keys sorted. Parsing the
// output gives a policy [Policy.Equal] to p.
//
// It fails for a statement without an Effect or without any action, which
// would not parse back.
func (p *Policy) MarshalJSON() ([]byte, error) {
	var b []byte
	b = append(b, '{')
	first := true
	sep := func() {
		if !first {
			b = append(b, ',')
		}
		first = false
	}
	if p.Version != "" {
		sep()
		b = append(b, `"Version":`...)
		b = appendString(b, p.Version)
	}
	if p.ID != "" {
		sep()
		b = append(b, `"Id":`...)
		b = appendString(b, p.ID)
	}
	sep()
	b = append(b, `"Statement":[`...)
	for i := range p.Statements {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		b, err = p.Statements[i].appendJSON(b)
		if err != nil {
			return nil, fmt.Errorf("marshal statement %d: %w", i, err)
		}
	}
	b = append(b, "]}"...)
	return b, nil
}

// MarshalIndent is like MarshalJSON but indents the output as
// json.MarshalIndent does.
func (p *Policy) MarshalIndent(prefix, indent string) ([]byte, error) {
	b, err := p.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, prefix, indent); err != nil {
		return nil, fmt.Errorf("indent policy: %w", err)
	}
	return out.Bytes(), nil
}

func (s *Statement) appendJSON(b []byte) ([]byte, error) {
	if s.Effect != Allow && s.Effect != Deny {
		return nil, fmt.Errorf("%w: Effect %q", ErrValue, s.Effect)
	}
	if len(s.Action) == 0 && len(s.NotAction) == 0 {
		return nil, fmt.Errorf("%w: need Action or NotAction", ErrMissing)
	}
	b = append(b, '{')
	if s.Sid != "" {
		b = append(b, `"Sid":`...)
		b = appendString(b, s.Sid)
		b = append(b, ',')
	}
	b = append(b, `"Effect":`...)
	b = appendString(b, string(s.Effect))
	if s.Principal != nil {
		b = append(b, `,"Principal":`...)
		b = s.Principal.appendJSON(b)
	}
	if s.NotPrincipal != nil {
		b = append(b, `,"NotPrincipal":`...)
		b = s.NotPrincipal.appendJSON(b)
	}
	for _, e := range []struct {
		name string
		vals []string
	}{{"Action", s.Action}, {"NotAction", s.NotAction}, {"Resource", s.Resource}, {"NotResource", s.NotResource}} {
		if len(e.vals) > 0 {
			b = append(b, ',', '"')
			b = append(b, e.name...)
			b = append(b, '"', ':')
			b = appendList(b, e.vals)
		}
	}
	if len(s.Condition) > 0 {
		cl := slices.Clone(s.Condition)
		sortClauses(cl)
		b = append(b, `,"Condition":{`...)
		for i, c := range cl {
			if i == 0 || cl[i-1].Operator != c.Operator {
				if i > 0 {
					b = append(b, "},"...)
				}
				b = appendString(b, c.Operator)
				b = append(b, ":{"...)
			} else {
				b = append(b, ',')
			}
			b = appendString(b, c.Key)
			b = append(b, ':')
			b = appendList(b, c.Values)
		}
		b = append(b, "}}"...)
	}
	return append(b, '}'), nil
}

func (p *Principal) appendJSON(b []byte) []byte {
	if p.All {
		return appendString(b, "*")
	}
	b = append(b, '{')
	n := 0
	for _, k := range principalKeys {
		v := p.values(k)
		if len(v) == 0 {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = appendString(b, k)
		b = append(b, ':')
		b = appendList(b, v)
	}
	return append(b, '}')
}

// values returns the principals listed under key k ("AWS", "Service", ...).
func (p *Principal) values(k string) []string {
	switch k {
	case "AWS":
		return p.AWS
	case "CanonicalUser":
		return p.CanonicalUser
	case "Federated":
		return p.Federated
	case "Service":
		return p.Service
	}
	return nil
}

// appendList writes one string as a string and several as a list.
func appendList(b []byte, vals []string) []byte {
	if len(vals) == 1 {
		return appendString(b, vals[0])
	}
	b = append(b, '[')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, v)
	}
	return append(b, ']')
}

// appendString writes s as a JSON string, escaping only what JSON requires.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// sortClauses orders clauses by operator, then key.
func sortClauses(cl []Clause) {
	slices.SortStableFunc(cl, func(a, b Clause) int {
		if c := strings.Compare(a.Operator, b.Operator); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
}

// Equal reports whether p and q are the same document: same Version, Id and
// statements, with conditions compared as sets of clauses. Name is ignored,
// and so is the difference between a nil and an empty list.
func (p *Policy) Equal(q *Policy) bool {
	if p == nil || q == nil {
		return p == q
	}
	if p.Version != q.Version || p.ID != q.ID || len(p.Statements) != len(q.Statements) {
		return false
	}
	for i := range p.Statements {
		if !p.Statements[i].Equal(&q.Statements[i]) {
			return false
		}
	}
	return true
}

// Equal reports whether two statements are the same, comparing condition
// clauses as sets.
func (s *Statement) Equal(t *Statement) bool {
	if s.Sid != t.Sid || s.Effect != t.Effect ||
		!s.Principal.Equal(t.Principal) || !s.NotPrincipal.Equal(t.NotPrincipal) ||
		!slices.Equal(s.Action, t.Action) || !slices.Equal(s.NotAction, t.NotAction) ||
		!slices.Equal(s.Resource, t.Resource) || !slices.Equal(s.NotResource, t.NotResource) ||
		len(s.Condition) != len(t.Condition) {
		return false
	}
	a, b := slices.Clone(s.Condition), slices.Clone(t.Condition)
	sortClauses(a)
	sortClauses(b)
	for i := range a {
		if a[i].Operator != b[i].Operator || a[i].Key != b[i].Key || !slices.Equal(a[i].Values, b[i].Values) {
			return false
		}
	}
	return true
}

// Equal reports whether two principal elements are the same; two nil
// principals are equal.
func (p *Principal) Equal(q *Principal) bool {
	if p == nil || q == nil {
		return p == q
	}
	return p.All == q.All && slices.Equal(p.AWS, q.AWS) && slices.Equal(p.Service, q.Service) &&
		slices.Equal(p.Federated, q.Federated) && slices.Equal(p.CanonicalUser, q.CanonicalUser)
}
