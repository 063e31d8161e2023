package vendortemplate

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// dataRef finds the aws_iam_policy_document data blocks an expression
// references.
var dataRef = regexp.MustCompile(`data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)`)

// policyAttributes are the Terraform attributes that hold a policy
// document: they get a note when none is found in their value.
var policyAttributes = []string{"policy", "assume_role_policy"}

// terraform records the documents of a Terraform file.
func (f *File) terraform(src []byte) error {
	items, err := parseHCL(f.Name, src)
	if err != nil {
		return err
	}
	w := &tfWalker{f: f, data: map[string]bool{}, trust: map[string]bool{}}
	for _, it := range items {
		if isPolicyDocumentData(it) {
			w.data[it.labels[1]] = true
		}
	}
	w.references(items)
	for _, it := range items {
		w.block(it, "", "")
	}
	return nil
}

func isPolicyDocumentData(it hclItem) bool {
	return it.block && it.name == "data" && len(it.labels) == 2 && it.labels[0] == "aws_iam_policy_document"
}

// tfWalker searches a Terraform body for documents.
type tfWalker struct {
	f     *File
	data  map[string]bool // the aws_iam_policy_document blocks of the file
	trust map[string]bool // those an assume_role_policy references
}

// references finds the data blocks assume_role_policy attributes use.
func (w *tfWalker) references(items []hclItem) {
	for _, it := range items {
		switch {
		case it.block:
			w.references(it.items)
		case it.name == "assume_role_policy":
			for _, m := range dataRef.FindAllStringSubmatch(it.text, -1) {
				w.trust[m[1]] = true
			}
		}
	}
}

// address returns the Terraform address of a top-level block.
func address(it hclItem) string {
	switch it.name {
	case "resource":
		return strings.Join(it.labels, ".")
	case "data", "module":
		return it.name + "." + strings.Join(it.labels, ".")
	}
	return strings.Join(append([]string{it.name}, it.labels...), ".")
}

func (w *tfWalker) block(it hclItem, path, resource string) {
	if !it.block {
		w.attribute(it, path, resource)
		return
	}
	if path == "" && isPolicyDocumentData(it) {
		name := it.labels[1]
		at := location{path: "data." + name, resource: address(it)}
		if w.trust[name] {
			at.kind = KindTrust
		}
		w.f.add(w.policyDocument(it.items, at.path), at)
		return
	}
	path += "/" + it.name
	if len(it.labels) > 0 {
		path += "." + strings.Join(it.labels, ".")
	}
	if resource == "" {
		resource = address(it)
	}
	for _, sub := range it.items {
		w.block(sub, path, resource)
	}
}

func (w *tfWalker) attribute(it hclItem, path, resource string) {
	path += "." + it.name
	at := location{path: path, resource: resource}
	if it.name == "assume_role_policy" {
		at.kind = KindTrust
	}
	docs, notes := len(w.f.Documents), len(w.f.Notes)
	w.value(it.value, at)
	if len(w.f.Documents) > docs || len(w.f.Notes) > notes || !slices.Contains(policyAttributes, it.name) {
		return
	}
	for _, m := range dataRef.FindAllStringSubmatch(it.text, -1) {
		if w.data[m[1]] {
			return
		}
	}
	from := sources(it.value, nil)
	if len(from) == 0 {
		from = []string{short(it.text)}
	}
	w.f.note(path, "%s from %s: not in the file", it.name, strings.Join(from, ", "))
}

// sources returns the references and function calls an expression takes
// its value from, in order, each once.
func sources(v any, out []string) []string {
	add := func(s string) []string {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
		return out
	}
	switch x := v.(type) {
	case hclExpr:
		if x.ref {
			return add(x.text)
		}
		for _, e := range x.parts {
			out = sources(e, out)
		}
	case hclCall:
		return add(short(x.text))
	case []any:
		for _, e := range x {
			out = sources(e, out)
		}
	}
	return out
}

// value searches an attribute's value: jsonencode arguments, JSON or
// YAML texts with a Statement, and the operands of other expressions.
func (w *tfWalker) value(v any, at location) {
	switch x := v.(type) {
	case hclCall:
		if x.name == "jsonencode" && len(x.args) == 1 {
			w.f.find(plain(x.args[0]), at)
			return
		}
		for _, a := range x.args {
			w.value(a, at)
		}
	case hclExpr:
		for _, e := range x.parts {
			w.value(e, at)
		}
	case string:
		w.text(x, at)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			in := at
			in.path += "." + k
			w.value(x[k], in)
		}
	case []any:
		for i, e := range x {
			in := at
			in.path = fmt.Sprintf("%s[%d]", at.path, i)
			w.value(e, in)
		}
	}
}

// text searches a string that mentions a Statement: JSON (a policy, or a
// CloudFormation template) or a CloudFormation template in YAML.
func (w *tfWalker) text(s string, at location) {
	if !strings.Contains(s, "Statement") {
		return
	}
	t := strings.TrimSpace(s)
	var v any
	var err error
	if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		v, err = decodeJSON("text", []byte(s))
	} else {
		v, err = decodeYAML("text", []byte(s))
		if _, ok := v.(map[string]any); err == nil && !ok {
			return // text that is not a template
		}
	}
	if err != nil {
		w.f.note(at.path, "text holding a Statement does not parse: %v", err)
		return
	}
	w.f.template(v, at)
}

// policyDocument renders an aws_iam_policy_document data block as the AWS
// provider does.
func (w *tfWalker) policyDocument(body []hclItem, path string) map[string]any {
	doc := map[string]any{"Version": "2012-10-17"}
	stmts := []any{}
	for _, it := range body {
		switch {
		case !it.block && it.name == "version":
			doc["Version"] = plain(it.value)
		case !it.block && it.name == "policy_id":
			doc["Id"] = plain(it.value)
		case !it.block && slices.Contains([]string{"source_policy_documents", "override_policy_documents", "source_json", "override_json"}, it.name):
			w.f.note(path, "%s not merged", it.name)
		case it.block && it.name == "statement":
			stmts = append(stmts, w.statement(it.items, path))
		case it.block && it.name == "dynamic":
			w.f.note(path, "dynamic %q block not expanded", strings.Join(it.labels, " "))
		}
	}
	doc["Statement"] = stmts
	return doc
}

// statementKeys maps the attributes of a statement block to the keys of a
// statement.
var statementKeys = map[string]string{
	"sid": "Sid", "effect": "Effect",
	"actions": "Action", "not_actions": "NotAction", "resources": "Resource", "not_resources": "NotResource",
}

func (w *tfWalker) statement(body []hclItem, path string) map[string]any {
	st := map[string]any{"Effect": "Allow"}
	for _, it := range body {
		switch {
		case !it.block && statementKeys[it.name] != "":
			v := stringsOf(plain(it.value))
			if it.name != "sid" && it.name != "effect" {
				v = list(v)
			}
			st[statementKeys[it.name]] = v
		case !it.block && (it.name == "principals" || it.name == "not_principals"):
			// Terraform 0.11: principals = { type = ..., identifiers = [...] }.
			pr := plain(it.value)
			if m, ok := pr.(map[string]any); ok {
				pr = []any{m}
			}
			for _, e := range list(pr) {
				if m, ok := e.(map[string]any); ok {
					addPrincipal(st, it.name, m)
				}
			}
		case it.block && (it.name == "principals" || it.name == "not_principals"):
			addPrincipal(st, it.name, attributes(it.items))
		case it.block && it.name == "condition":
			addCondition(st, attributes(it.items))
		case it.block && it.name == "dynamic":
			kind := strings.Join(it.labels, " ")
			if kind != "condition" && kind != "principals" && kind != "not_principals" {
				w.f.note(path, "dynamic %q block not expanded", kind)
				continue
			}
			for _, c := range it.items {
				if !c.block || c.name != "content" {
					continue
				}
				if kind == "condition" {
					addCondition(st, attributes(c.items))
				} else {
					addPrincipal(st, kind, attributes(c.items))
				}
				w.f.note(path, "dynamic %q block read from its content, as if its for_each had one element", kind)
			}
		}
	}
	return st
}

// attributes returns a block's attributes as JSON values.
func attributes(body []hclItem) map[string]any {
	m := map[string]any{}
	for _, it := range body {
		if !it.block {
			m[it.name] = plain(it.value)
		}
	}
	return m
}

// addPrincipal adds a principals or not_principals block to a statement.
// Type "*" is the principal "*"; identifiers of one type add up.
func addPrincipal(st map[string]any, block string, attrs map[string]any) {
	key := "Principal"
	if block == "not_principals" {
		key = "NotPrincipal"
	}
	typ := fmt.Sprint(attrs["type"])
	ids := list(stringsOf(attrs["identifiers"]))
	if typ == "*" {
		st[key] = "*"
		return
	}
	m, ok := st[key].(map[string]any)
	if !ok {
		if st[key] == "*" {
			return
		}
		m = map[string]any{}
		st[key] = m
	}
	m[typ] = append(list(m[typ]), ids...)
}

// addCondition adds a condition block to a statement.
func addCondition(st map[string]any, attrs map[string]any) {
	cond, ok := st["Condition"].(map[string]any)
	if !ok {
		cond = map[string]any{}
		st["Condition"] = cond
	}
	test := fmt.Sprint(attrs["test"])
	op, ok := cond[test].(map[string]any)
	if !ok {
		op = map[string]any{}
		cond[test] = op
	}
	op[fmt.Sprint(attrs["variable"])] = list(stringsOf(attrs["values"]))
}

// list returns v as a list: itself if it is one, else a list of it (none
// for nil).
func list(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case nil:
		return nil
	}
	return []any{v}
}

// stringsOf renders numbers and booleans as strings, as Terraform does for
// the string lists of a policy document (identifiers = [754728514883]).
func stringsOf(v any) any {
	switch x := v.(type) {
	case json.Number:
		return string(x)
	case bool:
		return fmt.Sprint(x)
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = stringsOf(x[i])
		}
		return out
	}
	return v
}
