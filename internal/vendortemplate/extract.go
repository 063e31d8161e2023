package vendortemplate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ErrFormat is returned for a file whose extension names none of the
// formats the package reads.
var ErrFormat = errors.New("vendortemplate: not a template (want .yaml, .yml, .json or .tf)")

// ErrSyntax is wrapped by the ParseError of a Terraform file that the
// package's HCL reader cannot parse.
var ErrSyntax = errors.New("vendortemplate: syntax error")

// ParseError is a file that does not parse, with the position of the error
// when it is known (Line and Column count from 1; 0 when unknown).
type ParseError struct {
	File   string
	Line   int
	Column int
	Err    error
}

// Error returns "parse file:line:column: cause", without the parts that
// are unknown.
func (e *ParseError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("parse %s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
	case e.Line > 0:
		return fmt.Sprintf("parse %s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("parse %s: %v", e.File, e.Err)
}

// Unwrap returns the cause: ErrSyntax for Terraform, the YAML or JSON
// decoder's error otherwise.
func (e *ParseError) Unwrap() error { return e.Err }

// Kind says what a policy document is for.
type Kind string

// The kinds of documents.
const (
	// KindIdentity is a permission policy: inline or managed, attached to
	// a role, user or group. Its statements name no principal.
	KindIdentity Kind = "identity"
	// KindTrust is a role's trust policy: a CloudFormation
	// AssumeRolePolicyDocument, a Terraform assume_role_policy (or the
	// aws_iam_policy_document it references), or a document whose
	// statements name a principal and only sts:AssumeRole* actions.
	KindTrust Kind = "trust"
	// KindResource is a resource-based policy (bucket, queue, topic, key):
	// its statements name a principal and other actions.
	KindResource Kind = "resource"
)

// File is what a template file holds.
type File struct {
	// Name is the file name as given to Extract or ReadFile.
	Name string
	// Documents are the policy documents found, in the file's order
	// (keys of a CloudFormation object in sorted order).
	Documents []Document
	// Notes say what could not be extracted, each as "path: why".
	Notes []string
}

// Document is one policy document found in a template.
type Document struct {
	// File is the template file's name as given to Extract or ReadFile.
	File string
	// Resource names the resource or block that holds the document: a
	// CloudFormation logical ID ("DatadogIntegrationRole"), a Terraform
	// address ("aws_iam_role.spot", "data.aws_iam_policy_document.x"),
	// both joined by "/" for a CloudFormation template in a Terraform
	// heredoc; "" for a bare policy file.
	Resource string
	// Path says where in the file the document is, for people and for
	// matching by substring: "/Resources/Role/Properties/Policies[0]/PolicyDocument"
	// in CloudFormation; in Terraform "/resource.aws_iam_role.spot.assume_role_policy"
	// (block type and labels, then attribute and object keys), and
	// "data.NAME" for a data "aws_iam_policy_document" block; "" for a
	// bare policy file.
	Path string
	// Kind says what the document is for.
	Kind Kind
	// Policy is the document, as encoding/json decodes JSON with
	// UseNumber: map[string]any, []any, string, json.Number, bool, nil.
	// Placeholders are "${...}" strings.
	Policy map[string]any
}

// String returns "file:path".
func (d *Document) String() string { return d.File + ":" + d.Path }

// JSON returns the document encoded as JSON on one line, with <, > and &
// as written (placeholders stay as they are, to be substituted).
func (d *Document) JSON() ([]byte, error) {
	return marshal(d.Policy)
}

// marshal encodes v as JSON without escaping <, > and &.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode policy document: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// ReadFile reads a template file and extracts its documents, as Extract.
func ReadFile(name string) (*File, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	return Extract(name, data)
}

// Extract returns the policy documents of a template, and notes on what
// it could not extract. The extension of name chooses the format: .yaml
// and .yml for CloudFormation YAML, .json for CloudFormation or a bare
// policy, .tf for Terraform; another extension is ErrFormat. A file that
// does not parse is a *ParseError; an embedded text that does not parse (a
// heredoc) is a note.
func Extract(name string, data []byte) (*File, error) {
	f := &File{Name: name}
	var err error
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml":
		var v any
		if v, err = decodeYAML(name, data); err == nil {
			f.template(v, location{})
		}
	case ".json":
		var v any
		if v, err = decodeJSON(name, data); err == nil {
			f.template(v, location{})
		}
	case ".tf":
		err = f.terraform(data)
	default:
		return nil, fmt.Errorf("extract %s: %w", name, ErrFormat)
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// decodeJSON decodes JSON with numbers as json.Number.
func decodeJSON(name string, data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	if err == nil && dec.More() {
		err = errors.New("data after the top-level value")
	}
	if err != nil {
		pe := &ParseError{File: name, Err: err}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			// Offset counts the bytes read, the bad one included.
			pe.Line, pe.Column = position(data, int(se.Offset)-1)
		}
		return nil, pe
	}
	return v, nil
}

// position returns the line and column, from 1, of byte off.
func position(src []byte, off int) (line, col int) {
	off = min(max(off, 0), len(src))
	line = 1 + bytes.Count(src[:off], []byte("\n"))
	col = off - bytes.LastIndexByte(src[:off], '\n')
	return line, col
}

// location is where a value being searched for documents is.
type location struct {
	path     string
	resource string
	kind     Kind // KindTrust where the location says so, else ""
	root     bool // the value is a CloudFormation template's root
	inRes    bool // the value is a template's Resources object
}

// documentKeys are the CloudFormation properties that hold a policy
// document.
var documentKeys = []string{"PolicyDocument", "AssumeRolePolicyDocument", "KeyPolicy", "PolicyText"}

// template resolves the intrinsic functions of a decoded CloudFormation
// template (or bare policy) and records its documents.
func (f *File) template(v any, at location) {
	r := &resolver{}
	if m, ok := v.(map[string]any); ok {
		r.mappings, _ = m["Mappings"].(map[string]any)
	}
	at.root = true
	f.find(r.resolve(v), at)
}

// find records every object with a Statement key in v; it does not look
// inside a document.
func (f *File) find(v any, at location) {
	switch x := v.(type) {
	case map[string]any:
		if st, ok := x["Statement"]; ok && isObjectOrList(st) {
			f.add(x, at)
			return
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			in := location{path: at.path + "/" + k, resource: at.resource, kind: at.kind}
			switch {
			case at.inRes:
				in.resource = joinResource(at.resource, k)
			case at.root && k == "Resources":
				in.inRes = true
			}
			if k == "AssumeRolePolicyDocument" {
				in.kind = KindTrust
			}
			if s, ok := x[k].(string); ok && slices.Contains(documentKeys, k) {
				f.documentText(s, in)
				continue
			}
			f.find(x[k], in)
		}
	case []any:
		for i, e := range x {
			in := at
			in.path, in.root, in.inRes = fmt.Sprintf("%s[%d]", at.path, i), false, false
			f.find(e, in)
		}
	}
}

// documentText handles a CloudFormation policy property given as text:
// JSON is a document, anything else a placeholder.
func (f *File) documentText(s string, at location) {
	if !strings.HasPrefix(strings.TrimSpace(s), "{") {
		f.note(at.path, "%q is not a policy document", short(s))
		return
	}
	v, err := decodeJSON("text", []byte(s))
	if err != nil {
		f.note(at.path, "policy text does not parse: %v", err)
		return
	}
	at.root = false
	f.find(v, at)
}

// add records a document, dropping statements that are not objects (the
// placeholders a build step fills).
func (f *File) add(doc map[string]any, at location) {
	if l, ok := doc["Statement"].([]any); ok {
		kept := make([]any, 0, len(l))
		for _, s := range l {
			if _, ok := s.(map[string]any); !ok {
				f.note(at.path, "statement %q is not an object: dropped", short(fmt.Sprint(s)))
				continue
			}
			kept = append(kept, s)
		}
		doc["Statement"] = kept
	}
	f.Documents = append(f.Documents, Document{
		File: f.Name, Resource: at.resource, Path: at.path, Kind: classify(at.kind, doc), Policy: doc,
	})
}

func (f *File) note(path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	f.Notes = append(f.Notes, msg)
}

// trustActions are the actions of a trust policy, in lower case.
var trustActions = []string{
	"sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity",
	"sts:tagsession", "sts:setsourceidentity", "sts:setcontext",
}

// classify returns the kind of a document: trust where the location says
// so; else identity when no statement names a principal, trust when those
// that do only allow assuming the role, resource otherwise.
func classify(at Kind, doc map[string]any) Kind {
	if at == KindTrust {
		return KindTrust
	}
	stmts, ok := doc["Statement"].([]any)
	if !ok {
		stmts = []any{doc["Statement"]}
	}
	principal, assumeOnly := false, true
	for _, s := range stmts {
		st, ok := s.(map[string]any)
		if !ok {
			continue
		}
		_, p := st["Principal"]
		_, np := st["NotPrincipal"]
		if !p && !np {
			continue
		}
		principal = true
		actions, _ := st["Action"].([]any)
		if a, ok := st["Action"].(string); ok {
			actions = []any{a}
		}
		if len(actions) == 0 {
			assumeOnly = false
		}
		for _, a := range actions {
			if s, _ := a.(string); !slices.Contains(trustActions, strings.ToLower(s)) {
				assumeOnly = false
			}
		}
	}
	switch {
	case !principal:
		return KindIdentity
	case assumeOnly:
		return KindTrust
	}
	return KindResource
}

func isObjectOrList(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

func joinResource(outer, name string) string {
	if outer == "" {
		return name
	}
	return outer + "/" + name
}

// short returns s on one line, cut to 60 characters.
func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		return string(r[:57]) + "..."
	}
	return s
}
