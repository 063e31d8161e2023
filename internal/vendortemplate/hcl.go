package vendortemplate

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Terraform files are parsed by HashiCorp's own HCL parser (hclsyntax); this
// file turns its syntax tree into the values the walker reads: literals as
// JSON values, everything else (references, operations, calls, for
// expressions) as its source text.

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

// hclFile converts the syntax tree of one file.
type hclFile struct {
	name string
	src  []byte
}

// parseHCL parses a Terraform file into its items, in source order.
func parseHCL(name string, src []byte) ([]hclItem, error) {
	f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if err := diagError(name, diags); err != nil {
		return nil, err
	}
	h := &hclFile{name: name, src: src}
	return h.body(f.Body.(*hclsyntax.Body)), nil
}

// parseHCLExpr parses one expression. A heredoc's closing marker needs a
// newline after it, which a lone expression may lack.
func parseHCLExpr(name, src string) (any, error) {
	if !strings.HasSuffix(src, "\n") {
		src += "\n"
	}
	e, diags := hclsyntax.ParseExpression([]byte(src), name, hcl.InitialPos)
	if err := diagError(name, diags); err != nil {
		return nil, err
	}
	h := &hclFile{name: name, src: []byte(src)}
	return h.value(e), nil
}

// diagError returns the first error of diags as a *ParseError.
func diagError(name string, diags hcl.Diagnostics) error {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		pe := &ParseError{File: name, Err: fmt.Errorf("%w: %s: %s", ErrSyntax, d.Summary, d.Detail)}
		if d.Subject != nil {
			pe.Line, pe.Column = d.Subject.Start.Line, d.Subject.Start.Column
		}
		return pe
	}
	return nil
}

// text returns the source text of a range.
func (h *hclFile) text(r hcl.Range) string { return string(h.src[r.Start.Byte:r.End.Byte]) }

// body returns the attributes and blocks of a body, in source order.
func (h *hclFile) body(b *hclsyntax.Body) []hclItem {
	type at struct {
		off  int
		item hclItem
	}
	var all []at
	for _, a := range b.Attributes {
		all = append(all, at{a.SrcRange.Start.Byte, hclItem{name: a.Name, value: h.value(a.Expr), text: h.text(a.Expr.Range())}})
	}
	for _, blk := range b.Blocks {
		all = append(all, at{blk.TypeRange.Start.Byte, hclItem{name: blk.Type, labels: slices.Clone(blk.Labels), block: true, items: h.body(blk.Body)}})
	}
	slices.SortFunc(all, func(x, y at) int { return x.off - y.off })
	out := make([]hclItem, len(all))
	for i, a := range all {
		out[i] = a.item
	}
	return out
}

// value converts an expression: literals, tuples and objects to JSON
// values; strings with template sequences to their text, with each
// interpolation as "${source}" and escapes ($${, %%{) undone; calls to
// hclCall; anything else to hclExpr.
func (h *hclFile) value(e hclsyntax.Expression) any {
	switch x := e.(type) {
	case *hclsyntax.LiteralValueExpr:
		return h.literal(x.Val, x.SrcRange)
	case *hclsyntax.UnaryOpExpr:
		if lit, ok := x.Val.(*hclsyntax.LiteralValueExpr); ok && x.Op == hclsyntax.OpNegate && lit.Val.Type() == cty.Number {
			return json.Number(h.text(x.SrcRange))
		}
	case *hclsyntax.TemplateExpr:
		var b strings.Builder
		for _, p := range x.Parts {
			if lit, ok := p.(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String {
				b.WriteString(lit.Val.AsString())
				continue
			}
			b.WriteString(h.sequence(p))
		}
		return b.String()
	case *hclsyntax.TemplateWrapExpr:
		return h.sequence(x.Wrapped)
	case *hclsyntax.TupleConsExpr:
		l := make([]any, len(x.Exprs))
		for i, el := range x.Exprs {
			l[i] = h.value(el)
		}
		return l
	case *hclsyntax.ObjectConsExpr:
		m := make(map[string]any, len(x.Items))
		for _, it := range x.Items {
			m[h.key(it.KeyExpr)] = h.value(it.ValueExpr)
		}
		return m
	case *hclsyntax.FunctionCallExpr:
		c := hclCall{name: x.Name, text: h.text(x.Range())}
		for _, a := range x.Args {
			c.args = append(c.args, h.value(a))
		}
		return c
	case *hclsyntax.ScopeTraversalExpr, *hclsyntax.RelativeTraversalExpr, *hclsyntax.IndexExpr, *hclsyntax.SplatExpr:
		_, call := x.(*hclsyntax.RelativeTraversalExpr)
		if call {
			_, call = x.(*hclsyntax.RelativeTraversalExpr).Source.(*hclsyntax.FunctionCallExpr)
		}
		return hclExpr{text: h.text(e.Range()), ref: !call}
	}
	// Operations, conditionals, for expressions, parentheses: the source
	// text, and the operands to search.
	ex := hclExpr{text: h.text(e.Range())}
	hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		if sub, ok := n.(hclsyntax.Expression); ok && sub != e {
			switch sub.(type) {
			case *hclsyntax.ScopeTraversalExpr, *hclsyntax.FunctionCallExpr, *hclsyntax.TemplateExpr:
				ex.parts = append(ex.parts, h.value(sub))
			}
		}
		return nil
	})
	return ex
}

// literal converts a literal value; a number keeps its source text.
func (h *hclFile) literal(v cty.Value, r hcl.Range) any {
	switch {
	case v.IsNull():
		return nil
	case v.Type() == cty.String:
		return v.AsString()
	case v.Type() == cty.Bool:
		return v.True()
	case v.Type() == cty.Number:
		return json.Number(h.text(r))
	}
	return h.text(r)
}

// sequence renders a template part that is not literal text: "${source}"
// for an interpolation; a directive (%{ if }, %{ for }) as written.
func (h *hclFile) sequence(e hclsyntax.Expression) string {
	r := e.Range()
	// A directive's range covers it from "%{"; an interpolation's covers
	// only what is inside "${ }".
	if start := r.Start.Byte; start+2 <= len(h.src) && string(h.src[start:start+2]) == "%{" {
		return h.text(r)
	}
	return "${" + h.text(r) + "}"
}

// key returns an object key: a bare name or a string as itself, anything
// else as "${source}".
func (h *hclFile) key(e hclsyntax.Expression) string {
	if k, ok := e.(*hclsyntax.ObjectConsKeyExpr); ok {
		if name := hcl.ExprAsKeyword(k.Wrapped); name != "" {
			return name
		}
		e = k.Wrapped
	}
	if s, ok := h.value(e).(string); ok {
		return s
	}
	return "${" + h.text(e.Range()) + "}"
}
