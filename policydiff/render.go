package policydiff

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tailor-sec/tailor/policy"
)

// ErrStatement reports a statement that cannot be rendered: no Effect, or
// neither Action nor NotAction. Such a statement would not parse back.
var ErrStatement = errors.New("policydiff: statement cannot be rendered")

// Render returns the canonical text of p: indented JSON with two spaces,
// keys in a fixed order, every list one value per line, sorted (ignoring
// case, then by case) and without exact duplicates, and statements in a
// stable order. The text ends with a newline and parses back to a policy
// that allows and denies the same requests as p. p is not modified; its
// Name is not rendered.
func Render(p *policy.Policy) ([]byte, error) {
	stmts := make([]renderedStatement, len(p.Statements))
	for i := range p.Statements {
		st := &p.Statements[i]
		if st.Effect != policy.Allow && st.Effect != policy.Deny {
			return nil, fmt.Errorf("%w: statement %d: Effect %q", ErrStatement, i, st.Effect)
		}
		if len(st.Action) == 0 && len(st.NotAction) == 0 {
			return nil, fmt.Errorf("%w: statement %d: no Action or NotAction", ErrStatement, i)
		}
		stmts[i] = renderedStatement{st: st, body: renderStatement(st, "    ")}
	}
	slices.SortStableFunc(stmts, compareStatements)

	var b bytes.Buffer
	b.WriteString("{\n")
	if p.Version != "" {
		b.WriteString(`  "Version": `)
		writeString(&b, p.Version)
		b.WriteString(",\n")
	}
	if p.ID != "" {
		b.WriteString(`  "Id": `)
		writeString(&b, p.ID)
		b.WriteString(",\n")
	}
	if len(stmts) == 0 {
		b.WriteString("  \"Statement\": []\n}\n")
		return b.Bytes(), nil
	}
	b.WriteString("  \"Statement\": [\n")
	for i, s := range stmts {
		b.WriteString(s.body)
		if i < len(stmts)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("  ]\n}\n")
	return b.Bytes(), nil
}

type renderedStatement struct {
	st   *policy.Statement
	body string
}

// compareStatements orders statements: Allow before Deny, then by Sid, then
// by their rendered text.
func compareStatements(a, b renderedStatement) int {
	rank := func(e policy.Effect) int {
		if e == policy.Allow {
			return 0
		}
		return 1
	}
	if c := cmp.Compare(rank(a.st.Effect), rank(b.st.Effect)); c != 0 {
		return c
	}
	if c := strings.Compare(a.st.Sid, b.st.Sid); c != 0 {
		return c
	}
	return strings.Compare(a.body, b.body)
}

// renderStatement renders one statement as an object indented by ind,
// without a trailing comma or newline.
func renderStatement(st *policy.Statement, ind string) string {
	var b bytes.Buffer
	in := ind + "  "
	var fields []func()
	field := func(name string, write func()) {
		fields = append(fields, func() {
			b.WriteString(in)
			writeString(&b, name)
			b.WriteString(": ")
			write()
		})
	}
	if st.Sid != "" {
		field("Sid", func() { writeString(&b, st.Sid) })
	}
	field("Effect", func() { writeString(&b, string(st.Effect)) })
	if st.Principal != nil {
		field("Principal", func() { writePrincipal(&b, st.Principal, in) })
	}
	if st.NotPrincipal != nil {
		field("NotPrincipal", func() { writePrincipal(&b, st.NotPrincipal, in) })
	}
	for _, e := range []struct {
		name string
		vals []string
	}{{"Action", st.Action}, {"NotAction", st.NotAction}, {"Resource", st.Resource}, {"NotResource", st.NotResource}} {
		if len(e.vals) > 0 {
			vals := e.vals
			field(e.name, func() { writeList(&b, vals, in) })
		}
	}
	if len(st.Condition) > 0 {
		field("Condition", func() { writeCondition(&b, st.Condition, in) })
	}
	b.WriteString(ind)
	b.WriteString("{\n")
	for i, f := range fields {
		f()
		if i < len(fields)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(ind)
	b.WriteByte('}')
	return b.String()
}

// sortedValues returns vals sorted ignoring case, then by case, without
// exact duplicates.
func sortedValues(vals []string) []string {
	out := slices.Clone(vals)
	slices.SortFunc(out, func(a, b string) int {
		if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return slices.Compact(out)
}

// writeList writes a list one value per line; the closing bracket is
// indented by ind.
func writeList(b *bytes.Buffer, vals []string, ind string) {
	vals = sortedValues(vals)
	b.WriteString("[\n")
	for i, v := range vals {
		b.WriteString(ind)
		b.WriteString("  ")
		writeString(b, v)
		if i < len(vals)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(ind)
	b.WriteByte(']')
}

func writePrincipal(b *bytes.Buffer, p *policy.Principal, ind string) {
	if p.All {
		writeString(b, "*")
		return
	}
	type kv struct {
		k    string
		vals []string
	}
	var kvs []kv
	for _, e := range []kv{{"AWS", p.AWS}, {"CanonicalUser", p.CanonicalUser}, {"Federated", p.Federated}, {"Service", p.Service}} {
		if len(e.vals) > 0 {
			kvs = append(kvs, e)
		}
	}
	b.WriteString("{\n")
	for i, e := range kvs {
		b.WriteString(ind)
		b.WriteString("  ")
		writeString(b, e.k)
		b.WriteString(": ")
		writeList(b, e.vals, ind+"  ")
		if i < len(kvs)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(ind)
	b.WriteByte('}')
}

// writeCondition writes a Condition block: operators sorted, keys sorted
// ignoring case within each, values one per line and sorted.
func writeCondition(b *bytes.Buffer, clauses []policy.Clause, ind string) {
	cl := slices.Clone(clauses)
	slices.SortStableFunc(cl, func(x, y policy.Clause) int {
		if c := strings.Compare(x.Operator, y.Operator); c != 0 {
			return c
		}
		if c := strings.Compare(strings.ToLower(x.Key), strings.ToLower(y.Key)); c != 0 {
			return c
		}
		return strings.Compare(x.Key, y.Key)
	})
	in := ind + "  "
	b.WriteString("{\n")
	for i := 0; i < len(cl); {
		j := i
		for j < len(cl) && cl[j].Operator == cl[i].Operator {
			j++
		}
		b.WriteString(in)
		writeString(b, cl[i].Operator)
		b.WriteString(": {\n")
		for k := i; k < j; k++ {
			b.WriteString(in)
			b.WriteString("  ")
			writeString(b, cl[k].Key)
			b.WriteString(": ")
			writeList(b, cl[k].Values, in+"  ")
			if k < j-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(in)
		b.WriteByte('}')
		if j < len(cl) {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
		i = j
	}
	b.WriteString(ind)
	b.WriteByte('}')
}

// writeString writes s as a JSON string. Only what JSON requires is
// escaped, so that ARNs and patterns read as written.
func writeString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}
