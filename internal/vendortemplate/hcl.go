package vendortemplate

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// hclItem is an attribute (name = value) or a block (name labels { items })
// of a Terraform body.
type hclItem struct {
	name   string
	labels []string
	block  bool
	value  any       // an attribute's value
	text   string    // an attribute's source text
	items  []hclItem // a block's body
}

// hclCall is a function call. It renders as "${text}"; the argument of
// jsonencode is a document, those of other calls are searched for one.
type hclCall struct {
	name string
	args []any
	text string
}

// hclExpr is an expression without a JSON value: a reference, an
// operation, a for expression. It renders as "${text}"; parts are the
// operands, searched for documents.
type hclExpr struct {
	text  string
	parts []any
	ref   bool // a reference: var.x, data.a.b[0].c
}

// plain returns v as a JSON value: calls and expressions become "${...}"
// text around their source.
func plain(v any) any {
	switch x := v.(type) {
	case hclCall:
		return "${" + x.text + "}"
	case hclExpr:
		return "${" + x.text + "}"
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = plain(e)
		}
		return l
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = plain(e)
		}
		return m
	}
	return v
}

// hclParser reads the subset of HCL that Terraform templates use: bodies of
// attributes and blocks; expressions whose literals (strings, heredocs,
// numbers, booleans, null, tuples, objects) become JSON values, and whose
// references, operations, function calls and for expressions keep their
// source text. Template sequences in strings (${...}, %{...}) stay as
// written; $${ and %%{ are unescaped.
type hclParser struct {
	file string
	src  string
	off  int
	nest int   // brackets open: newlines are blanks inside them
	err  error // an unterminated comment, found while skipping blanks
}

var heredocStart = regexp.MustCompile(`^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n`)

func (p *hclParser) errorf(off int, format string, args ...any) error {
	line, col := position([]byte(p.src), off)
	return &ParseError{File: p.file, Line: line, Column: col, Err: fmt.Errorf("%w: "+format, append([]any{ErrSyntax}, args...)...)}
}

// snippet returns the text at off, for error messages.
func (p *hclParser) snippet(off int) string {
	s := p.src[off:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 20 {
		s = s[:20]
	}
	return s
}

func (p *hclParser) at(s string) bool { return strings.HasPrefix(p.src[p.off:], s) }

func (p *hclParser) eof() bool { return p.off >= len(p.src) }

// blank skips spaces, tabs and comments, and newlines when nl is set.
func (p *hclParser) blank(nl bool) {
	for !p.eof() {
		switch c := p.src[p.off]; {
		case c == ' ' || c == '\t' || c == '\r' || (c == '\n' && nl):
			p.off++
		case c == '#' || p.at("//"):
			for !p.eof() && p.src[p.off] != '\n' {
				p.off++
			}
		case p.at("/*"):
			end := strings.Index(p.src[p.off+2:], "*/")
			if end < 0 {
				if p.err == nil {
					p.err = p.errorf(p.off, "unterminated comment")
				}
				p.off = len(p.src)
				return
			}
			p.off += end + 4
		default:
			return
		}
	}
}

// inner reports whether newlines are blanks here.
func (p *hclParser) inner() bool { return p.nest > 0 }

func isIdentStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isIdent(c byte) bool {
	return isIdentStart(c) || c == '-' || ('0' <= c && c <= '9')
}

func (p *hclParser) ident() string {
	start := p.off
	if p.eof() || !isIdentStart(p.src[p.off]) {
		return ""
	}
	for !p.eof() && isIdent(p.src[p.off]) {
		p.off++
	}
	return p.src[start:p.off]
}

// body parses items up to the end of input or, when closing, a "}".
func (p *hclParser) body(closing bool) ([]hclItem, error) {
	var items []hclItem
	for {
		p.blank(true)
		if p.err != nil {
			return nil, p.err
		}
		if p.eof() {
			if closing {
				return nil, p.errorf(p.off, "unexpected end of input: a block is not closed")
			}
			return items, nil
		}
		if p.src[p.off] == '}' {
			if !closing {
				return nil, p.errorf(p.off, "unexpected }")
			}
			p.off++
			return items, nil
		}
		name := p.ident()
		if name == "" {
			return nil, p.errorf(p.off, "want an attribute or block name, got %q", p.snippet(p.off))
		}
		p.blank(false)
		if p.at("=") && !p.at("==") {
			p.off++
			p.blank(false)
			start := p.off
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			items = append(items, hclItem{name: name, value: v, text: strings.TrimSpace(p.src[start:p.off])})
			p.blank(false)
			if !p.eof() && p.src[p.off] != '\n' && p.src[p.off] != '}' {
				return nil, p.errorf(p.off, "want a newline after attribute %s, got %q", name, p.snippet(p.off))
			}
			continue
		}
		it := hclItem{name: name, block: true}
		for {
			p.blank(false)
			if p.eof() || p.src[p.off] == '\n' {
				return nil, p.errorf(p.off, "block %s has no body", name)
			}
			if p.src[p.off] == '{' {
				p.off++
				break
			}
			switch c := p.src[p.off]; {
			case c == '"':
				l, err := p.quoted()
				if err != nil {
					return nil, err
				}
				it.labels = append(it.labels, l)
			case isIdentStart(c):
				it.labels = append(it.labels, p.ident())
			default:
				return nil, p.errorf(p.off, "unexpected %q in the header of block %s", c, name)
			}
		}
		sub, err := p.body(true)
		if err != nil {
			return nil, err
		}
		it.items = sub
		items = append(items, it)
	}
}

// expr parses an expression: a conditional, or a binary operation.
func (p *hclParser) expr() (any, error) {
	start := p.off
	cond, err := p.binary()
	if err != nil {
		return nil, err
	}
	save := p.off
	p.blank(p.inner())
	if !p.at("?") {
		p.off = save
		return cond, nil
	}
	p.off++
	p.blank(p.inner())
	yes, err := p.expr()
	if err != nil {
		return nil, err
	}
	p.blank(p.inner())
	if !p.at(":") {
		return nil, p.errorf(p.off, "want : in a conditional, got %q", p.snippet(p.off))
	}
	p.off++
	p.blank(p.inner())
	no, err := p.expr()
	if err != nil {
		return nil, err
	}
	return hclExpr{text: strings.TrimSpace(p.src[start:p.off]), parts: []any{cond, yes, no}}, nil
}

var binaryOps = []string{"==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%"}

// binary parses operands joined by binary operators.
func (p *hclParser) binary() (any, error) {
	start := p.off
	v, err := p.unary()
	if err != nil {
		return nil, err
	}
	parts := []any{v}
	for {
		save := p.off
		p.blank(p.inner())
		op := ""
		for _, o := range binaryOps {
			if p.at(o) {
				op = o
				break
			}
		}
		if op == "" || p.at("//") || p.at("/*") || p.at("<<") {
			p.off = save
			break
		}
		p.off += len(op)
		p.blank(p.inner())
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		parts = append(parts, r)
	}
	if len(parts) == 1 {
		return v, nil
	}
	return hclExpr{text: strings.TrimSpace(p.src[start:p.off]), parts: parts}, nil
}

// unary parses ! and - before an operand.
func (p *hclParser) unary() (any, error) {
	if p.eof() {
		return nil, p.errorf(p.off, "unexpected end of input")
	}
	c := p.src[p.off]
	if c == '!' || (c == '-' && !(p.off+1 < len(p.src) && '0' <= p.src[p.off+1] && p.src[p.off+1] <= '9')) {
		start := p.off
		p.off++
		p.blank(p.inner())
		v, err := p.unary()
		if err != nil {
			return nil, err
		}
		return hclExpr{text: p.src[start:p.off], parts: []any{v}}, nil
	}
	return p.postfix()
}

// postfix parses an operand and its traversals: .attr, [index], [*], .*.
func (p *hclParser) postfix() (any, error) {
	start := p.off
	v, err := p.primary()
	if err != nil {
		return nil, err
	}
	traversed := false
loop:
	for !p.eof() {
		switch {
		case p.at(".*"):
			p.off += 2
		case p.at(".") && p.off+1 < len(p.src) && (isIdentStart(p.src[p.off+1]) || ('0' <= p.src[p.off+1] && p.src[p.off+1] <= '9')):
			p.off++
			for !p.eof() && isIdent(p.src[p.off]) {
				p.off++
			}
		case p.at("["):
			open := p.off
			p.off++
			p.nest++
			p.blank(true)
			if p.at("*") {
				p.off++
			} else if _, err := p.expr(); err != nil {
				return nil, err
			}
			p.blank(true)
			p.nest--
			if !p.at("]") {
				return nil, p.errorf(open, "index not closed")
			}
			p.off++
		default:
			break loop
		}
		traversed = true
	}
	if !traversed {
		return v, nil
	}
	e, _ := v.(hclExpr)
	return hclExpr{text: p.src[start:p.off], parts: []any{v}, ref: e.ref}, nil
}

// primary parses a literal, a reference, a call or a bracketed expression.
func (p *hclParser) primary() (any, error) {
	if p.eof() {
		return nil, p.errorf(p.off, "unexpected end of input")
	}
	start := p.off
	switch c := p.src[p.off]; {
	case c == '"':
		return p.quoted()
	case p.at("<<"):
		return p.heredoc()
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number()
	case c == '[':
		return p.tuple()
	case c == '{':
		return p.object()
	case c == '(':
		p.off++
		p.nest++
		p.blank(true)
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		p.blank(true)
		p.nest--
		if !p.at(")") {
			return nil, p.errorf(start, "( not closed")
		}
		p.off++
		return hclExpr{text: p.src[start:p.off], parts: []any{v}}, nil
	case isIdentStart(c):
		name := p.ident()
		switch name {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		if p.at("::") { // a provider function: provider::aws::arn_parse
			for p.at("::") {
				p.off += 2
				p.ident()
			}
			name = p.src[start:p.off]
		}
		if p.at("(") {
			return p.call(name, start)
		}
		return hclExpr{text: name, ref: true}, nil
	}
	return nil, p.errorf(p.off, "unexpected %q", p.snippet(p.off))
}

// number parses a number; one JSON cannot hold stays text.
func (p *hclParser) number() (any, error) {
	start := p.off
	if p.at("-") {
		p.off++
	}
	digits := func() {
		for !p.eof() && '0' <= p.src[p.off] && p.src[p.off] <= '9' {
			p.off++
		}
	}
	digits()
	if p.at(".") && p.off+1 < len(p.src) && '0' <= p.src[p.off+1] && p.src[p.off+1] <= '9' {
		p.off++
		digits()
	}
	if p.at("e") || p.at("E") {
		p.off++
		if p.at("+") || p.at("-") {
			p.off++
		}
		digits()
	}
	s := p.src[start:p.off]
	if !json.Valid([]byte(s)) {
		return s, nil
	}
	return json.Number(s), nil
}

// call parses the arguments of a function call.
func (p *hclParser) call(name string, start int) (any, error) {
	var args []any
	err := p.sequence(")", "call of "+name, true, func() error {
		v, err := p.expr()
		if err != nil {
			return err
		}
		args = append(args, v)
		if p.blank(true); p.at("...") {
			p.off += 3
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return hclCall{name: name, args: args, text: p.src[start:p.off]}, nil
}

// sequence parses the elements of the bracketed sequence at p.off up to
// closing, with element; commas separate them (newlines may, unless comma).
func (p *hclParser) sequence(closing, what string, comma bool, element func() error) error {
	open := p.off
	p.off++
	p.nest++
	defer func() { p.nest-- }()
	for {
		p.blank(true)
		if p.eof() {
			return p.errorf(open, "%s not closed", what)
		}
		if p.at(closing) {
			p.off++
			return nil
		}
		if err := element(); err != nil {
			return err
		}
		p.blank(true)
		switch {
		case p.at(","):
			p.off++
		case comma && !p.at(closing):
			return p.errorf(p.off, "want , or %s in the %s, got %q", closing, what, p.snippet(p.off))
		}
	}
}

// forExpr reports whether a for expression starts inside the bracket at
// p.off, and if so consumes it.
func (p *hclParser) forExpr() (any, bool, error) {
	start := p.off
	p.off++
	p.blank(true)
	if !p.at("for") || p.off+3 >= len(p.src) || isIdent(p.src[p.off+3]) {
		p.off = start
		return nil, false, nil
	}
	p.off = start
	if err := p.skipBalanced(); err != nil {
		return nil, true, err
	}
	return hclExpr{text: p.src[start:p.off]}, true, nil
}

// skipBalanced consumes the bracketed text at p.off.
func (p *hclParser) skipBalanced() error {
	start := p.off
	depth := 0
	for !p.eof() {
		switch p.src[p.off] {
		case '"':
			if _, err := p.quoted(); err != nil {
				return err
			}
			continue
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				p.off++
				return nil
			}
		}
		p.off++
	}
	return p.errorf(start, "bracket not closed")
}

// tuple parses [a, b, ...] or a for expression.
func (p *hclParser) tuple() (any, error) {
	if v, ok, err := p.forExpr(); ok || err != nil {
		return v, err
	}
	l := []any{}
	err := p.sequence("]", "list", true, func() error {
		v, err := p.expr()
		l = append(l, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// object parses { key = value ... } or a for expression.
func (p *hclParser) object() (any, error) {
	if v, ok, err := p.forExpr(); ok || err != nil {
		return v, err
	}
	m := map[string]any{}
	err := p.sequence("}", "object", false, func() error {
		var key string
		switch c := p.src[p.off]; {
		case c == '"':
			k, err := p.quoted()
			if err != nil {
				return err
			}
			key = k
		case c == '(':
			start := p.off
			if err := p.skipBalanced(); err != nil {
				return err
			}
			key = "${" + p.src[start:p.off] + "}"
		default:
			if key = p.ident(); key == "" {
				return p.errorf(p.off, "want an object key, got %q", p.snippet(p.off))
			}
		}
		p.blank(true)
		if !(p.at("=") || p.at(":")) || p.at("==") {
			return p.errorf(p.off, "want = after key %s, got %q", key, p.snippet(p.off))
		}
		p.off++
		p.blank(true)
		v, err := p.expr()
		m[key] = v
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// quoted parses a quoted template string.
func (p *hclParser) quoted() (string, error) {
	start := p.off
	var b strings.Builder
	p.off++
	for !p.eof() {
		switch c := p.src[p.off]; {
		case c == '"':
			p.off++
			return b.String(), nil
		case c == '\n':
			return "", p.errorf(start, "newline in a quoted string")
		case c == '\\':
			if err := p.escape(&b); err != nil {
				return "", err
			}
		case p.at("$${") || p.at("%%{"):
			b.WriteString(p.src[p.off+1 : p.off+3])
			p.off += 3
		case p.at("${") || p.at("%{"):
			end, err := p.templateEnd(p.off)
			if err != nil {
				return "", err
			}
			b.WriteString(p.src[p.off:end])
			p.off = end
		default:
			b.WriteByte(c)
			p.off++
		}
	}
	return "", p.errorf(start, "unterminated string")
}

// escape decodes the escape sequence at p.off.
func (p *hclParser) escape(b *strings.Builder) error {
	if p.off+1 >= len(p.src) {
		return p.errorf(p.off, "unterminated string")
	}
	switch e := p.src[p.off+1]; e {
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case '"', '\\':
		b.WriteByte(e)
	case 'u', 'U':
		n := 4
		if e == 'U' {
			n = 8
		}
		if p.off+2+n > len(p.src) {
			return p.errorf(p.off, "short \\%c escape", e)
		}
		r, err := strconv.ParseUint(p.src[p.off+2:p.off+2+n], 16, 32)
		if err != nil {
			return p.errorf(p.off, "bad \\%c escape", e)
		}
		b.WriteRune(rune(r))
		p.off += 2 + n
		return nil
	default:
		return p.errorf(p.off, "unknown escape \\%c", e)
	}
	p.off += 2
	return nil
}

// templateEnd returns the offset after the template sequence (${...} or
// %{...}) at i, which may hold quoted strings and braces.
func (p *hclParser) templateEnd(i int) (int, error) {
	start := i
	depth := 0
	for i < len(p.src) {
		switch p.src[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i + 1, nil
			}
		case '"':
			save := p.off
			p.off = i
			if _, err := p.quoted(); err != nil {
				return 0, err
			}
			i, p.off = p.off, save
			continue
		}
		i++
	}
	return 0, p.errorf(start, "template sequence not closed")
}

// heredoc parses <<MARKER or <<-MARKER text up to the line holding only
// the marker; <<- removes the indentation the lines share.
func (p *hclParser) heredoc() (string, error) {
	start := p.off
	m := heredocStart.FindStringSubmatch(p.src[p.off:])
	if m == nil {
		return "", p.errorf(start, "want a heredoc marker and a newline after <<")
	}
	strip, marker := m[1] == "-", m[2]
	p.off += len(m[0])
	var lines []string
	for {
		if p.eof() {
			return "", p.errorf(start, "heredoc %s not closed", marker)
		}
		end := strings.IndexByte(p.src[p.off:], '\n')
		if end < 0 {
			end = len(p.src) - p.off
		}
		line := p.src[p.off : p.off+end]
		if strings.TrimSpace(line) == marker {
			p.off += len(strings.TrimRight(line, " \t\r"))
			break
		}
		lines = append(lines, line)
		p.off = min(p.off+end+1, len(p.src))
	}
	if strip {
		indent := -1
		for _, l := range lines {
			if strings.TrimSpace(l) == "" {
				continue
			}
			n := len(l) - len(strings.TrimLeft(l, " \t"))
			if indent < 0 || n < indent {
				indent = n
			}
		}
		for i, l := range lines {
			lines[i] = l[min(max(indent, 0), len(l)-len(strings.TrimLeft(l, " \t"))):]
		}
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return strings.NewReplacer("$${", "${", "%%{", "%{").Replace(b.String()), nil
}
