package review_test

// This file turns the vendor templates of the shared corpus (CloudFormation
// YAML and JSON, Terraform) into IAM roles, to review them as a vendor's
// customer would after deploying them. It extracts every policy document
// a template holds; intrinsic functions and Terraform references become
// "${...}" text, which the test cases substitute.

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// templateDoc is one policy document found in a template.
type templateDoc struct {
	where string // a path naming where it was found
	doc   map[string]any
}

// extractTemplate returns the policy documents of a template file.
func extractTemplate(t *testing.T, path string) []templateDoc {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	docs := extractTemplateData(t, path, data)
	base := path[strings.LastIndexAny(path, "/\\")+1:]
	for i := range docs {
		docs[i].where = base + ":" + docs[i].where
	}
	return docs
}

func extractTemplateData(t *testing.T, path string, data []byte) []templateDoc {
	t.Helper()
	switch {
	case strings.HasSuffix(path, ".tf"):
		return extractTerraform(t, string(data))
	case strings.HasSuffix(path, ".json"):
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return findStatements(resolveCFN(v, mappingsOf(v)), "")
	default:
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		v := yamlToValue(&n)
		return findStatements(resolveCFN(v, mappingsOf(v)), "")
	}
}

// yamlToValue converts YAML to plain values; a CloudFormation short tag
// (!Ref, !Sub, ...) becomes its long form ({"Ref": ...}, {"Fn::Sub": ...}).
func yamlToValue(n *yaml.Node) any {
	var v any
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return yamlToValue(n.Content[0])
	case yaml.AliasNode:
		return yamlToValue(n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = yamlToValue(n.Content[i+1])
		}
		v = m
	case yaml.SequenceNode:
		l := []any{}
		for _, c := range n.Content {
			l = append(l, yamlToValue(c))
		}
		v = l
	default:
		v = n.Value
	}
	if tag := n.Tag; strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") {
		name := tag[1:]
		if name != "Ref" && name != "Condition" {
			name = "Fn::" + name
		}
		if name == "Fn::GetAtt" {
			if s, ok := v.(string); ok {
				v = strings.SplitN(s, ".", 2)
			}
		}
		return map[string]any{name: v}
	}
	return v
}

func mappingsOf(v any) map[string]any {
	if m, ok := v.(map[string]any); ok {
		if mp, ok := m["Mappings"].(map[string]any); ok {
			return mp
		}
	}
	return nil
}

var noValue = struct{}{}

// resolveCFN replaces CloudFormation intrinsic functions by text: Ref X
// and GetAtt become "${X}", Sub its template string, If its first branch,
// Join the joined text, FindInMap the mapped value; AWS::NoValue drops
// the element.
func resolveCFN(v any, mappings map[string]any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				switch k {
				case "Ref":
					if arg == "AWS::NoValue" {
						return noValue
					}
					return fmt.Sprintf("${%v}", arg)
				case "Fn::Sub":
					if l, ok := arg.([]any); ok && len(l) > 0 {
						return fmt.Sprint(resolveCFN(l[0], mappings))
					}
					return fmt.Sprint(arg)
				case "Fn::If":
					if l, ok := arg.([]any); ok && len(l) == 3 {
						return resolveCFN(l[1], mappings)
					}
				case "Fn::GetAtt":
					if l, ok := arg.([]any); ok {
						var parts []string
						for _, p := range l {
							parts = append(parts, fmt.Sprint(p))
						}
						return "${" + strings.Join(parts, ".") + "}"
					}
				case "Fn::Join":
					if l, ok := arg.([]any); ok && len(l) == 2 {
						if items, ok := resolveCFN(l[1], mappings).([]any); ok {
							var parts []string
							for _, p := range items {
								parts = append(parts, fmt.Sprint(p))
							}
							return strings.Join(parts, fmt.Sprint(l[0]))
						}
					}
				case "Fn::FindInMap":
					if l, ok := arg.([]any); ok && len(l) == 3 {
						if m, ok := mappings[fmt.Sprint(l[0])].(map[string]any); ok {
							if m2, ok := m[fmt.Sprint(resolveCFN(l[1], mappings))].(map[string]any); ok {
								if val, ok := m2[fmt.Sprint(l[2])]; ok {
									return val
								}
							}
						}
					}
					return fmt.Sprintf("${FindInMap %v}", arg)
				}
				if strings.HasPrefix(k, "Fn::") || k == "Condition" {
					return fmt.Sprintf("${%s}", k)
				}
			}
		}
		out := map[string]any{}
		for k, e := range x {
			if r := resolveCFN(e, mappings); r != noValue {
				out[k] = r
			}
		}
		return out
	case []any:
		out := []any{}
		for _, e := range x {
			if r := resolveCFN(e, mappings); r != noValue {
				out = append(out, r)
			}
		}
		return out
	}
	return v
}

// findStatements returns every object with a Statement key.
func findStatements(v any, where string) []templateDoc {
	var out []templateDoc
	switch x := v.(type) {
	case map[string]any:
		if st, ok := x["Statement"]; ok {
			if _, isList := st.([]any); isList || isMap(st) {
				return []templateDoc{{where: where, doc: x}}
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			out = append(out, findStatements(x[k], where+"/"+k)...)
		}
	case []any:
		for i, e := range x {
			out = append(out, findStatements(e, fmt.Sprintf("%s[%d]", where, i))...)
		}
	}
	return out
}

func isMap(v any) bool { _, ok := v.(map[string]any); return ok }

// Terraform

// hclToken is a token of the HCL subset the templates use.
type hclToken struct {
	kind string // "ident", "string", "number", "punct", "nl", "eof"
	text string
}

// hclLex splits HCL into tokens. Strings keep their text with "${...}"
// interpolations as written; heredocs become strings.
func hclLex(src string) []hclToken {
	var toks []hclToken
	heredoc := regexp.MustCompile(`^<<-?([A-Za-z_]+)\n`)
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			toks = append(toks, hclToken{"nl", "\n"})
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#' || (c == '/' && i+1 < len(src) && src[i+1] == '/'):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			i += end + 4
		case c == '<' && heredoc.MatchString(src[i:]):
			m := heredoc.FindStringSubmatch(src[i:])
			body := src[i+len(m[0]):]
			end := regexp.MustCompile(`(?m)^\s*` + m[1] + `\s*$`).FindStringIndex(body)
			toks = append(toks, hclToken{"string", body[:end[0]]})
			i += len(m[0]) + end[1]
		case c == '"':
			j, depth := i+1, 0
			var b strings.Builder
			for j < len(src) {
				if src[j] == '\\' && j+1 < len(src) {
					switch src[j+1] {
					case 'n':
						b.WriteByte('\n')
					default:
						b.WriteByte(src[j+1])
					}
					j += 2
					continue
				}
				if strings.HasPrefix(src[j:], "${") {
					depth++
				} else if src[j] == '}' && depth > 0 {
					depth--
				} else if src[j] == '"' && depth == 0 {
					break
				}
				b.WriteByte(src[j])
				j++
			}
			toks = append(toks, hclToken{"string", b.String()})
			i = j + 1
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			toks = append(toks, hclToken{"number", src[i:j]})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(src) && (src[j] == '_' || src[j] == '-' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			toks = append(toks, hclToken{"ident", src[i:j]})
			i = j
		default:
			two := ""
			if i+1 < len(src) {
				two = src[i : i+2]
			}
			if slices.Contains([]string{"==", "!=", ">=", "<=", "&&", "||", "=>"}, two) {
				toks = append(toks, hclToken{"punct", two})
				i += 2
			} else {
				toks = append(toks, hclToken{"punct", string(c)})
				i++
			}
		}
	}
	return append(toks, hclToken{"eof", ""})
}

// hclBlock is a block: its type, labels and body.
type hclBlock struct {
	typ    string
	labels []string
	attrs  map[string]any
	blocks []*hclBlock
}

type hclParser struct {
	toks []hclToken
	pos  int
}

func (p *hclParser) peek() hclToken { return p.toks[p.pos] }
func (p *hclParser) next() hclToken { t := p.toks[p.pos]; p.pos++; return t }
func (p *hclParser) skipNL() {
	for p.peek().kind == "nl" || (p.peek().kind == "punct" && p.peek().text == ",") {
		p.pos++
	}
}

// body parses attributes and blocks until "}" or the end.
func (p *hclParser) body() *hclBlock {
	b := &hclBlock{attrs: map[string]any{}}
	for {
		p.skipNL()
		t := p.peek()
		if t.kind == "eof" || (t.kind == "punct" && t.text == "}") {
			return b
		}
		name := p.next()
		if p.peek().kind == "punct" && p.peek().text == "=" {
			p.next()
			b.attrs[name.text] = p.expr()
			continue
		}
		blk := &hclBlock{typ: name.text}
		for p.peek().kind == "string" || p.peek().kind == "ident" {
			blk.labels = append(blk.labels, p.next().text)
		}
		if t := p.next(); t.text != "{" {
			panic(fmt.Sprintf("hcl: want { after %s, got %q", name.text, t.text))
		}
		inner := p.body()
		p.next() // }
		blk.attrs, blk.blocks = inner.attrs, inner.blocks
		b.blocks = append(b.blocks, blk)
	}
}

// expr parses an expression. Lists, objects, strings, numbers, booleans and
// jsonencode calls become values; anything else becomes "${...}" text.
func (p *hclParser) expr() any {
	start := p.pos
	v := p.primary()
	// An operator makes the whole expression opaque.
	if t := p.peek(); t.kind == "punct" && strings.Contains("?:==!=><&&||+-*/%", t.text) && t.text != "," {
		depth := 0
		for {
			t := p.peek()
			if t.kind == "eof" {
				break
			}
			if t.kind == "punct" {
				switch t.text {
				case "(", "[", "{":
					depth++
				case ")", "]", "}":
					if depth == 0 {
						return p.opaque(start)
					}
					depth--
				case ",":
					if depth == 0 {
						return p.opaque(start)
					}
				}
			}
			if t.kind == "nl" && depth == 0 {
				break
			}
			p.next()
		}
		return p.opaque(start)
	}
	return v
}

func (p *hclParser) opaque(start int) string {
	var parts []string
	for _, t := range p.toks[start:p.pos] {
		if t.kind != "nl" {
			parts = append(parts, t.text)
		}
	}
	return "${" + strings.Join(parts, " ") + "}"
}

func (p *hclParser) primary() any {
	t := p.next()
	switch t.kind {
	case "string":
		return t.text
	case "number":
		return t.text // policies hold numbers as strings
	case "punct":
		switch t.text {
		case "[":
			var l []any
			for {
				p.skipNL()
				if p.peek().text == "]" {
					p.next()
					return l
				}
				if p.peek().kind == "ident" && p.peek().text == "for" {
					return p.skipTo("]")
				}
				l = append(l, p.expr())
			}
		case "{":
			m := map[string]any{}
			for {
				p.skipNL()
				if p.peek().text == "}" {
					p.next()
					return m
				}
				if p.peek().kind == "ident" && p.peek().text == "for" {
					return p.skipTo("}")
				}
				k := p.next()
				if sep := p.next(); sep.text != "=" && sep.text != ":" {
					panic(fmt.Sprintf("hcl: want = or : after key %q, got %q", k.text, sep.text))
				}
				m[k.text] = p.expr()
			}
		case "(":
			v := p.expr()
			p.skipNL()
			p.next() // )
			return v
		case "!", "-":
			p.primary()
			return "${op}"
		}
	case "ident":
		switch t.text {
		case "true":
			return true
		case "false":
			return false
		case "null":
			return nil
		}
		if p.peek().text == "(" {
			p.next()
			var args []any
			for {
				p.skipNL()
				if p.peek().text == ")" {
					p.next()
					break
				}
				args = append(args, p.expr())
			}
			if t.text == "jsonencode" && len(args) == 1 {
				return hclJSON{args[0]}
			}
			return "${" + t.text + "(...)}"
		}
		ref := t.text
		for {
			switch p.peek().text {
			case ".":
				p.next()
				ref += "." + p.next().text
				continue
			case "[":
				p.next()
				idx := p.expr()
				p.next() // ]
				ref += fmt.Sprintf("[%v]", idx)
				continue
			}
			break
		}
		return "${" + ref + "}"
	}
	return "${" + t.text + "}"
}

func (p *hclParser) skipTo(closer string) string {
	depth := 0
	for {
		t := p.next()
		switch t.text {
		case "[", "{", "(":
			depth++
		case "]", "}", ")":
			if depth == 0 && t.text == closer {
				return "${for}"
			}
			depth--
		}
		if t.kind == "eof" {
			return "${for}"
		}
	}
}

// hclJSON is the argument of a jsonencode call.
type hclJSON struct{ v any }

// extractTerraform finds the policy documents of a Terraform file: JSON
// heredocs, jsonencode arguments, and aws_iam_policy_document data blocks.
func extractTerraform(t *testing.T, src string) []templateDoc {
	t.Helper()
	var out []templateDoc
	p := &hclParser{toks: hclLex(src)}
	var root *hclBlock
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("terraform: %v", r)
			}
		}()
		root = p.body()
	}()
	var walkValue func(v any, where string)
	walkValue = func(v any, where string) {
		switch x := v.(type) {
		case hclJSON:
			if m, ok := x.v.(map[string]any); ok {
				out = append(out, findStatements(m, where)...)
			}
		case string:
			if strings.Contains(x, "Resources:") && strings.Contains(x, "AssumeRolePolicyDocument") {
				// A CloudFormation template in a heredoc (a stack set's
				// template_body).
				var n yaml.Node
				if err := yaml.Unmarshal([]byte(x), &n); err == nil {
					v := yamlToValue(&n)
					out = append(out, findStatements(resolveCFN(v, mappingsOf(v)), where)...)
				}
			} else if strings.Contains(x, `"Statement"`) {
				var m any
				if err := json.Unmarshal([]byte(x), &m); err == nil {
					out = append(out, findStatements(m, where)...)
				}
			}
		case map[string]any:
			for k, e := range x {
				walkValue(e, where+"."+k)
			}
		case []any:
			for i, e := range x {
				walkValue(e, fmt.Sprintf("%s[%d]", where, i))
			}
		}
	}
	var walk func(b *hclBlock, where string)
	walk = func(b *hclBlock, where string) {
		if b.typ == "data" && len(b.labels) == 2 && b.labels[0] == "aws_iam_policy_document" {
			out = append(out, templateDoc{where: "data." + b.labels[1], doc: policyDocument(b)})
			return
		}
		keys := make([]string, 0, len(b.attrs))
		for k := range b.attrs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			walkValue(b.attrs[k], where+"."+k)
		}
		for _, c := range b.blocks {
			walk(c, where+"/"+c.typ+"."+strings.Join(c.labels, "."))
		}
	}
	walk(root, "")
	return out
}

// policyDocument renders an aws_iam_policy_document data block as a policy.
func policyDocument(b *hclBlock) map[string]any {
	list := func(v any) []any {
		switch x := v.(type) {
		case []any:
			return x
		case nil:
			return nil
		}
		return []any{v}
	}
	doc := map[string]any{"Version": "2012-10-17"}
	if v, ok := b.attrs["version"]; ok {
		doc["Version"] = v
	}
	var stmts []any
	for _, s := range b.blocks {
		if s.typ != "statement" {
			continue
		}
		st := map[string]any{"Effect": "Allow"}
		for attr, key := range map[string]string{"sid": "Sid", "effect": "Effect", "actions": "Action", "not_actions": "NotAction", "resources": "Resource", "not_resources": "NotResource"} {
			if v, ok := s.attrs[attr]; ok {
				if key == "Sid" || key == "Effect" {
					st[key] = v
				} else {
					st[key] = list(v)
				}
			}
		}
		principals := func(name string) map[string]any {
			var blocks []map[string]any
			for _, c := range s.blocks {
				if c.typ == name {
					blocks = append(blocks, c.attrs)
				}
			}
			if m, ok := s.attrs[name].(map[string]any); ok { // principals = { ... }
				blocks = append(blocks, m)
			}
			if len(blocks) == 0 {
				return nil
			}
			out := map[string]any{}
			for _, a := range blocks {
				typ := fmt.Sprint(a["type"])
				out[typ] = append(list(out[typ]), list(a["identifiers"])...)
			}
			return out
		}
		if pr := principals("principals"); pr != nil {
			st["Principal"] = pr
		}
		if pr := principals("not_principals"); pr != nil {
			st["NotPrincipal"] = pr
		}
		cond := map[string]any{}
		var condBlocks []*hclBlock
		for _, c := range s.blocks {
			switch {
			case c.typ == "condition":
				condBlocks = append(condBlocks, c)
			case c.typ == "dynamic" && len(c.labels) == 1 && c.labels[0] == "condition":
				for _, content := range c.blocks {
					if content.typ == "content" {
						condBlocks = append(condBlocks, content)
					}
				}
			}
		}
		for _, c := range condBlocks {
			op := fmt.Sprint(c.attrs["test"])
			m, _ := cond[op].(map[string]any)
			if m == nil {
				m = map[string]any{}
				cond[op] = m
			}
			m[fmt.Sprint(c.attrs["variable"])] = list(c.attrs["values"])
		}
		if len(cond) > 0 {
			st["Condition"] = cond
		}
		stmts = append(stmts, st)
	}
	doc["Statement"] = stmts
	return doc
}

// managedPolicies reads AWS managed policy documents by name from the
// MAMIP tarball of the shared corpus.
func managedPolicies(t *testing.T, tarball string, names ...string) map[string]json.RawMessage {
	t.Helper()
	f, err := os.Open(tarball)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	out := map[string]json.RawMessage{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		name := h.Name[strings.LastIndex(h.Name, "/")+1:]
		if !slices.Contains(names, name) {
			continue
		}
		var v struct {
			PolicyVersion struct {
				Document json.RawMessage
			}
		}
		if err := json.NewDecoder(tr).Decode(&v); err != nil {
			t.Fatalf("%s: %v", h.Name, err)
		}
		out[name] = v.PolicyVersion.Document
	}
	for _, n := range names {
		if out[n] == nil {
			t.Fatalf("managed policy %s is not in %s", n, tarball)
		}
	}
	return out
}
