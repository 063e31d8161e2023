package policy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/tailor-sec/tailor/internal/shareddata"
)

// TestVendorTemplatePolicies extracts the policy documents embedded in the
// vendor templates of the shared corpus (CloudFormation YAML and JSON,
// Terraform heredocs, jsonencode calls and aws_iam_policy_document data
// blocks) and parses each of them.
//
// The expected number of documents per file was counted by hand from the
// files (the Statement keys of CloudFormation and JSON, the heredocs and
// jsonencode calls holding a Statement, the data blocks), not taken from
// this extractor. Documents that cannot be extracted, and why:
//   - checkpoint-cloudguard/permissions_*_cft.yml: the managed policy is the
//     placeholder REPLACEMENT_READONLY_POLICY, filled at build time from
//     readonly_policy.yml / readwrite_policy.yml (which are parsed);
//   - spot/main.tf: the role policy is templatefile("spot_policy.json"),
//     parsed as its own file;
//   - vantage/main.tf: four role policies come from the Vantage provider
//     (data.vantage_aws_provider_info), not from the file;
//   - datadog/quickstart-datadog_integration_role.yaml: the permissions are
//     attached by another stack that fetches them from Datadog's API;
//   - policies are extracted as written: CloudFormation intrinsics become
//     "${...}" text (Fn::If takes its first branch), Terraform references
//     and expressions become "${...}" text, a dynamic "condition" block is
//     read from its content block.
func TestVendorTemplatePolicies(t *testing.T) {
	dir := shareddata.Dir(t, "vendors")
	want := map[string]int{
		"checkpoint-cloudguard/palantir-terraform-aws-dome9.tf":          2,
		"checkpoint-cloudguard/permissions_readonly_cft.yml":             1,
		"checkpoint-cloudguard/permissions_readwrite_cft.yml":            1,
		"checkpoint-cloudguard/readonly_policy.yml":                      1,
		"checkpoint-cloudguard/readwrite_policy.yml":                     1,
		"cloudability/policy.tf":                                         3,
		"cloudhealth/cloudhealth_iam_role.json":                          2,
		"cloudzero/audit.yaml":                                           2,
		"cloudzero/cloudtrail_owner.yaml":                                1,
		"cloudzero/master_payer.json":                                    1,
		"cloudzero/resource_owner.json":                                  1,
		"cloudzero/resource_owner.yaml":                                  2,
		"datadog/datadog_integration_role.yaml":                          6,
		"datadog/quickstart-datadog_integration_role.yaml":               1,
		"drata/main.tf":                                                  2,
		"ermetic/ermetic-controltower-managed-account.yaml":              2,
		"internal-examples/mozilla-eis-security-audit-trusting-role.yml": 4,
		"lacework/lacework-aws-gov-cloud-ct-cfg.json":                    4,
		"lacework/terraform-aws-iam-role-main.tf":                        1,
		"newrelic/cloud-integrations-aws-main.tf":                        7,
		"spot/main.tf":                      1,
		"spot/spot_policy.json":             1,
		"sysdig/agentless-scanning-main.tf": 5,
		"sysdig/config-posture-main.tf":     2,
		"vantage/main.tf":                   3,
	}
	total, statements := 0, 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var docs []extracted
		var notes []string
		switch filepath.Ext(path) {
		case ".yaml", ".yml":
			docs, notes = fromYAML(data, rel)
		case ".json":
			docs, notes = fromJSON(data, rel)
		case ".tf":
			docs, notes = fromTerraform(string(data), rel)
		default:
			return nil
		}
		for _, n := range notes {
			t.Logf("%s: %s", rel, n)
		}
		if got := len(docs); got != want[rel] {
			t.Errorf("%s: extracted %d policy documents, want %d", rel, got, want[rel])
		}
		for _, doc := range docs {
			p, err := Parse(doc.json)
			if err != nil {
				t.Errorf("%s: %s: %v\n%s", rel, doc.where, err, doc.json)
				continue
			}
			total++
			statements += len(p.Statements)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d vendor policy documents parsed, %d statements", total, statements)
}

// extracted is one policy document found in a template.
type extracted struct {
	where string
	json  []byte
}

// findPolicies walks a decoded document and returns every object with a
// Statement key, marshalled as JSON.
func findPolicies(v any, where string) []extracted {
	var out []extracted
	switch x := v.(type) {
	case map[string]any:
		if st, ok := x["Statement"]; ok {
			// Dome9's template fragments hold a placeholder statement,
			// REPLACEMENT_READONLY_POLICY_STATEMENTS, filled at build time.
			if l, ok := st.([]any); ok {
				kept := l[:0:0]
				for _, e := range l {
					if s, ok := e.(string); ok && strings.HasPrefix(s, "REPLACEMENT_") {
						where += " (placeholder " + s + " dropped)"
						continue
					}
					kept = append(kept, e)
				}
				x["Statement"] = kept
				st = kept
			}
			switch st.(type) {
			case map[string]any, []any:
				b, err := json.Marshal(x)
				if err == nil {
					return []extracted{{where: where, json: b}}
				}
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			out = append(out, findPolicies(x[k], where+"."+k)...)
		}
	case []any:
		for i, e := range x {
			out = append(out, findPolicies(e, fmt.Sprintf("%s[%d]", where, i))...)
		}
	}
	return out
}

// CloudFormation

func fromYAML(data []byte, where string) ([]extracted, []string) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, []string{"not YAML: " + err.Error()}
	}
	v, _ := resolveCFN(yamlValue(&root))
	return findPolicies(v, where), nil
}

func fromJSON(data []byte, where string) ([]extracted, []string) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, []string{"not JSON: " + err.Error()}
	}
	v, _ = resolveCFN(v)
	return findPolicies(v, where), nil
}

// yamlValue converts a YAML node to plain values; CloudFormation short
// tags (!Ref, !Sub, !If, ...) become their long forms ({"Ref": ...},
// {"Fn::Sub": ...}). Scalars keep their text, except numbers and booleans.
func yamlValue(n *yaml.Node) any {
	var v any
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return yamlValue(n.Content[0])
	case yaml.AliasNode:
		return yamlValue(n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = yamlValue(n.Content[i+1])
		}
		v = m
	case yaml.SequenceNode:
		l := []any{}
		for _, c := range n.Content {
			l = append(l, yamlValue(c))
		}
		v = l
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!int", "!!float":
			v = json.Number(n.Value)
		case "!!bool":
			v = n.Value == "true"
		case "!!null":
			v = nil
		default:
			v = n.Value
		}
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		name := n.Tag[1:]
		if name != "Ref" && name != "Condition" {
			name = "Fn::" + name
		}
		return map[string]any{name: v}
	}
	return v
}

// resolveCFN replaces CloudFormation intrinsic functions by text: Ref and
// GetAtt by "${name}", Sub by its template, Join by the joined parts, If by
// its first branch, the rest by "${Fn::Name}". It reports drop for
// {"Ref": "AWS::NoValue"}.
func resolveCFN(v any) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" {
					if s, _ := arg.(string); s == "AWS::NoValue" {
						return nil, true
					}
					return fmt.Sprintf("${%v}", arg), false
				}
				if !strings.HasPrefix(k, "Fn::") {
					break
				}
				switch k {
				case "Fn::Sub":
					if l, ok := arg.([]any); ok && len(l) > 0 {
						return l[0], false
					}
					return arg, false
				case "Fn::GetAtt":
					if l, ok := arg.([]any); ok {
						parts := make([]string, len(l))
						for i := range l {
							parts[i] = fmt.Sprint(l[i])
						}
						return "${" + strings.Join(parts, ".") + "}", false
					}
					return fmt.Sprintf("${%v}", arg), false
				case "Fn::Join":
					if l, ok := arg.([]any); ok && len(l) == 2 {
						parts, _ := l[1].([]any)
						var ss []string
						for _, p := range parts {
							r, drop := resolveCFN(p)
							if !drop {
								ss = append(ss, fmt.Sprint(r))
							}
						}
						return strings.Join(ss, fmt.Sprint(l[0])), false
					}
				case "Fn::If":
					if l, ok := arg.([]any); ok && len(l) == 3 {
						return resolveCFN(l[1])
					}
				}
				return "${" + k + "}", false
			}
		}
		m := map[string]any{}
		for k, e := range x {
			if r, drop := resolveCFN(e); !drop {
				m[k] = r
			}
		}
		return m, false
	case []any:
		l := []any{}
		for _, e := range x {
			r, drop := resolveCFN(e)
			if drop {
				continue
			}
			// An Fn::If choosing a list inside a list splices it in.
			if m, ok := e.(map[string]any); ok && len(m) == 1 && m["Fn::If"] != nil {
				if rl, ok := r.([]any); ok {
					l = append(l, rl...)
					continue
				}
			}
			l = append(l, r)
		}
		return l, false
	}
	return v, false
}

// Terraform

var heredocStart = regexp.MustCompile(`<<-?([A-Za-z_][A-Za-z0-9_]*)\n`)

func fromTerraform(src, where string) ([]extracted, []string) {
	var docs []extracted
	var notes []string
	// Heredocs: JSON policies, or a CloudFormation template in YAML.
	for _, m := range heredocStart.FindAllStringSubmatchIndex(src, -1) {
		tag := src[m[2]:m[3]]
		rest := src[m[1]:]
		end := regexp.MustCompile(`(?m)^[ \t]*` + regexp.QuoteMeta(tag) + `[ \t]*$`).FindStringIndex(rest)
		if end == nil {
			notes = append(notes, "unterminated heredoc "+tag)
			continue
		}
		body := strings.ReplaceAll(rest[:end[0]], "$${", "${")
		w := fmt.Sprintf("%s: heredoc %s at byte %d", where, tag, m[0])
		if strings.HasPrefix(strings.TrimSpace(body), "{") {
			d, n := fromJSON([]byte(body), w)
			docs, notes = append(docs, d...), append(notes, n...)
		} else if strings.Contains(body, "Statement") {
			d, n := fromYAML([]byte(body), w)
			docs, notes = append(docs, d...), append(notes, n...)
		}
	}
	// jsonencode({...}) calls.
	for i := 0; ; {
		j := strings.Index(src[i:], "jsonencode(")
		if j < 0 {
			break
		}
		i += j + len("jsonencode(")
		p := &hclParser{s: src, i: i}
		v, err := p.expr()
		if err != nil {
			notes = append(notes, fmt.Sprintf("jsonencode at byte %d: %v", i, err))
			continue
		}
		docs = append(docs, findPolicies(v, fmt.Sprintf("%s: jsonencode at byte %d", where, i))...)
	}
	// data "aws_iam_policy_document" blocks.
	p := &hclParser{s: src}
	items, err := p.body()
	if err != nil {
		return docs, append(notes, "HCL: "+err.Error())
	}
	for _, it := range items {
		if it.block && it.name == "data" && len(it.labels) == 2 && it.labels[0] == "aws_iam_policy_document" {
			doc, n := policyDocument(it.items)
			notes = append(notes, n...)
			b, err := json.Marshal(doc)
			if err != nil {
				notes = append(notes, err.Error())
				continue
			}
			docs = append(docs, extracted{where: where + ": data." + it.labels[1], json: b})
		}
	}
	return docs, notes
}

// policyDocument builds the JSON document an aws_iam_policy_document data
// block renders.
func policyDocument(body []hclItem) (map[string]any, []string) {
	var notes []string
	doc := map[string]any{"Version": "2012-10-17"}
	var stmts []any
	for _, it := range body {
		switch {
		case !it.block && it.name == "version":
			doc["Version"] = it.value
		case !it.block && it.name == "policy_id":
			doc["Id"] = it.value
		case it.block && it.name == "statement":
			stmts = append(stmts, statementBlock(it.items, &notes))
		case it.block && it.name == "dynamic":
			notes = append(notes, fmt.Sprintf("dynamic %q block not expanded", it.labels))
		}
	}
	doc["Statement"] = stmts
	return doc, notes
}

// stringsOf renders numbers as strings, as Terraform does for the string
// lists of a policy document (identifiers = [754728514883]).
func stringsOf(v any) any {
	switch x := v.(type) {
	case json.Number:
		return string(x)
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = stringsOf(x[i])
		}
		return out
	}
	return v
}

func statementBlock(body []hclItem, notes *[]string) map[string]any {
	st := map[string]any{"Effect": "Allow"}
	principals := func(key string, it hclItem) {
		var typ string
		var ids any
		for _, a := range it.items {
			switch a.name {
			case "type":
				typ = fmt.Sprint(a.value)
			case "identifiers":
				ids = stringsOf(a.value)
			}
		}
		if typ == "*" {
			st[key] = "*"
			return
		}
		m, _ := st[key].(map[string]any)
		if m == nil {
			m = map[string]any{}
			st[key] = m
		}
		m[typ] = ids
	}
	condition := func(items []hclItem) {
		var test, variable string
		var values any
		for _, a := range items {
			switch a.name {
			case "test":
				test = fmt.Sprint(a.value)
			case "variable":
				variable = fmt.Sprint(a.value)
			case "values":
				values = stringsOf(a.value)
			}
		}
		c, _ := st["Condition"].(map[string]any)
		if c == nil {
			c = map[string]any{}
			st["Condition"] = c
		}
		op, _ := c[test].(map[string]any)
		if op == nil {
			op = map[string]any{}
			c[test] = op
		}
		op[variable] = values
	}
	names := map[string]string{"sid": "Sid", "effect": "Effect", "actions": "Action", "not_actions": "NotAction", "resources": "Resource", "not_resources": "NotResource"}
	for _, it := range body {
		switch {
		case !it.block && names[it.name] != "":
			st[names[it.name]] = stringsOf(it.value)
		case it.block && it.name == "principals":
			principals("Principal", it)
		case it.block && it.name == "not_principals":
			principals("NotPrincipal", it)
		case it.block && it.name == "condition":
			condition(it.items)
		case it.block && it.name == "dynamic" && len(it.labels) == 1 && it.labels[0] == "condition":
			for _, c := range it.items {
				if c.block && c.name == "content" {
					condition(c.items)
					*notes = append(*notes, "dynamic condition block read from its content")
				}
			}
		}
	}
	return st
}

// hclItem is an attribute (name = value) or a block (name labels { items })
// of a Terraform body.
type hclItem struct {
	name   string
	labels []string
	block  bool
	value  any
	items  []hclItem
}

// hclParser reads the subset of HCL that policy documents use: bodies of
// attributes and blocks, and expressions whose literals (strings, numbers,
// booleans, lists, objects, heredocs) become JSON values; references,
// function calls and operators become "${...}" text.
type hclParser struct {
	s string
	i int
}

func (p *hclParser) errorf(format string, args ...any) error {
	return fmt.Errorf("byte %d: "+format, append([]any{p.i}, args...)...)
}

// space skips blanks, newlines and comments.
func (p *hclParser) space() {
	for p.i < len(p.s) {
		switch {
		case strings.HasPrefix(p.s[p.i:], "#") || strings.HasPrefix(p.s[p.i:], "//"):
			for p.i < len(p.s) && p.s[p.i] != '\n' {
				p.i++
			}
		case strings.HasPrefix(p.s[p.i:], "/*"):
			end := strings.Index(p.s[p.i+2:], "*/")
			if end < 0 {
				p.i = len(p.s)
				return
			}
			p.i += end + 4
		case strings.ContainsRune(" \t\r\n,", rune(p.s[p.i])):
			p.i++
		default:
			return
		}
	}
}

// lineSpace skips blanks on the current line only.
func (p *hclParser) lineSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func isIdent(c byte) bool {
	return c == '_' || c == '-' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

func (p *hclParser) ident() string {
	start := p.i
	for p.i < len(p.s) && isIdent(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// body parses items until a closing brace or the end of input.
func (p *hclParser) body() ([]hclItem, error) {
	var items []hclItem
	for {
		p.space()
		if p.i >= len(p.s) || p.s[p.i] == '}' {
			return items, nil
		}
		name := p.ident()
		if name == "" {
			return nil, p.errorf("want an attribute or block name, got %q", p.s[p.i:min(p.i+20, len(p.s))])
		}
		p.lineSpace()
		if p.i < len(p.s) && p.s[p.i] == '=' && !strings.HasPrefix(p.s[p.i:], "==") {
			p.i++
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			items = append(items, hclItem{name: name, value: v})
			continue
		}
		it := hclItem{name: name, block: true}
		for p.i < len(p.s) && p.s[p.i] != '{' {
			switch c := p.s[p.i]; {
			case c == '"':
				l, err := p.str()
				if err != nil {
					return nil, err
				}
				it.labels = append(it.labels, l)
			case isIdent(c):
				it.labels = append(it.labels, p.ident())
			case c == ' ' || c == '\t':
				p.i++
			default:
				return nil, p.errorf("unexpected %q in block header %s", c, name)
			}
		}
		if p.i >= len(p.s) {
			return nil, p.errorf("block %s has no body", name)
		}
		p.i++
		sub, err := p.body()
		if err != nil {
			return nil, err
		}
		if p.i >= len(p.s) {
			return nil, p.errorf("block %s is not closed", name)
		}
		p.i++
		it.items = sub
		items = append(items, it)
	}
}

// expr parses one expression.
func (p *hclParser) expr() (any, error) {
	p.space()
	start := p.i
	v, err := p.primary()
	if err != nil {
		return nil, err
	}
	// An operator after the value: the whole expression becomes text.
	save := p.i
	p.lineSpace()
	if p.i < len(p.s) && strings.ContainsRune("?=!&|<>+-*/%:", rune(p.s[p.i])) && !strings.HasPrefix(p.s[p.i:], "//") {
		if err := p.skipTo(",\n)]}"); err != nil {
			return nil, err
		}
		return "${" + strings.TrimSpace(p.s[start:p.i]) + "}", nil
	}
	p.i = save
	return v, nil
}

// skipTo advances to the first of the stop bytes outside brackets and
// strings.
func (p *hclParser) skipTo(stops string) error {
	depth := 0
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			if _, err := p.str(); err != nil {
				return err
			}
			continue
		case c == '(' || c == '[' || c == '{':
			depth++
		case depth > 0 && (c == ')' || c == ']' || c == '}'):
			depth--
		case depth == 0 && strings.IndexByte(stops, c) >= 0:
			return nil
		}
		p.i++
	}
	return nil
}

// skipBalanced consumes the bracketed group that starts at p.i.
func (p *hclParser) skipBalanced() error {
	depth := 0
	for p.i < len(p.s) {
		switch c := p.s[p.i]; c {
		case '"':
			if _, err := p.str(); err != nil {
				return err
			}
			continue
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				p.i++
				return nil
			}
		}
		p.i++
	}
	return p.errorf("unclosed bracket")
}

func (p *hclParser) primary() (any, error) {
	if p.i >= len(p.s) {
		return nil, p.errorf("unexpected end of input")
	}
	switch c := p.s[p.i]; {
	case c == '"':
		return p.str()
	case strings.HasPrefix(p.s[p.i:], "<<"):
		m := heredocStart.FindStringSubmatchIndex(p.s[p.i:])
		if m == nil || m[0] != 0 {
			return nil, p.errorf("bad heredoc")
		}
		tag := p.s[p.i+m[2] : p.i+m[3]]
		p.i += m[1]
		end := regexp.MustCompile(`(?m)^[ \t]*` + regexp.QuoteMeta(tag) + `[ \t]*$`).FindStringIndex(p.s[p.i:])
		if end == nil {
			return nil, p.errorf("unterminated heredoc %s", tag)
		}
		s := p.s[p.i : p.i+end[0]]
		p.i += end[1]
		return s, nil
	case c == '[':
		p.i++
		p.space()
		if strings.HasPrefix(p.s[p.i:], "for ") {
			p.i--
			start := p.i
			if err := p.skipTo(",\n)}"); err != nil {
				return nil, err
			}
			return "${" + p.s[start:p.i] + "}", nil
		}
		l := []any{}
		for {
			p.space()
			if p.i >= len(p.s) {
				return nil, p.errorf("unclosed list")
			}
			if p.s[p.i] == ']' {
				p.i++
				return l, nil
			}
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
	case c == '{':
		p.i++
		m := map[string]any{}
		for {
			p.space()
			if p.i >= len(p.s) {
				return nil, p.errorf("unclosed object")
			}
			if p.s[p.i] == '}' {
				p.i++
				return m, nil
			}
			var key string
			if p.s[p.i] == '"' {
				k, err := p.str()
				if err != nil {
					return nil, err
				}
				key = k
			} else {
				key = p.ident()
				if key == "" {
					return nil, p.errorf("want an object key")
				}
			}
			p.lineSpace()
			if p.i >= len(p.s) || (p.s[p.i] != '=' && p.s[p.i] != ':') {
				return nil, p.errorf("want = after key %s", key)
			}
			p.i++
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			m[key] = v
		}
	case c == '!':
		start := p.i
		p.i++
		if _, err := p.primary(); err != nil {
			return nil, err
		}
		return "${" + p.s[start:p.i] + "}", nil
	case c == '(':
		start := p.i
		if err := p.skipBalanced(); err != nil {
			return nil, err
		}
		return "${" + p.s[start:p.i] + "}", nil
	case c == '-' || ('0' <= c && c <= '9'):
		start := p.i
		p.i++
		for p.i < len(p.s) && strings.IndexByte("0123456789.eE+-", p.s[p.i]) >= 0 {
			p.i++
		}
		return json.Number(p.s[start:p.i]), nil
	case isIdent(c):
		start := p.i
		word := p.ident()
		switch word {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		// A reference (a.b[0].c) or a function call: text.
	ref:
		for p.i < len(p.s) {
			switch p.s[p.i] {
			case '.':
				p.i++
				if p.i < len(p.s) && p.s[p.i] == '*' {
					p.i++
				}
				p.ident()
			case '[', '(':
				if err := p.skipBalanced(); err != nil {
					return nil, err
				}
			default:
				break ref
			}
		}
		return "${" + p.s[start:p.i] + "}", nil
	}
	return nil, p.errorf("unexpected %q", p.s[p.i])
}

// str parses a quoted string, keeping ${...} interpolations (which may hold
// quotes) as text and decoding escapes.
func (p *hclParser) str() (string, error) {
	var b strings.Builder
	p.i++
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c == '\\' && p.i+1 < len(p.s):
			switch e := p.s[p.i+1]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(e)
			}
			p.i += 2
		case strings.HasPrefix(p.s[p.i:], "${"):
			start := p.i
			p.i += 2
			for depth := 1; depth > 0 && p.i < len(p.s); p.i++ {
				switch p.s[p.i] {
				case '{':
					depth++
				case '}':
					depth--
				case '"':
					for p.i++; p.i < len(p.s) && p.s[p.i] != '"'; p.i++ {
						if p.s[p.i] == '\\' {
							p.i++
						}
					}
				}
			}
			b.WriteString(p.s[start:p.i])
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", p.errorf("unterminated string")
}
