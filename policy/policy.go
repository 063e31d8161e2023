package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Policy language versions. Policies of Version2008 (or without a Version)
// do not support policy variables: "${aws:username}" is plain text there.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Effect is the Effect of a statement.
type Effect string

// The two effects IAM knows.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Policy is one IAM policy document.
//
// A Policy returned by [Parse] is compiled for evaluation. A Policy built or
// changed by hand is compiled on every use by [Evaluate] and [Covers];
// call [Policy.Compile] after the last change to make that cost a one-off.
// A Policy must not be changed while another goroutine uses it.
type Policy struct {
	Version    string
	ID         string
	Statements []Statement

	// Name labels the policy in decisions, warnings and coverage gaps (a
	// managed policy name, a file name). It is not part of the document and
	// is neither parsed nor marshalled.
	Name string

	compiled *compiledPolicy
}

// Statement is one statement of a policy. Exactly one of Action and
// NotAction is set in a parsed statement; at most one of Resource and
// NotResource (a statement with neither, as in trust policies, applies to
// every resource); at most one of Principal and NotPrincipal.
type Statement struct {
	Sid          string
	Effect       Effect
	Principal    *Principal
	NotPrincipal *Principal
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	// Condition holds one clause per (operator, key) pair of the Condition
	// block, sorted by operator then key. All clauses must hold.
	Condition []Clause
}

// Principal is the Principal or NotPrincipal element. All is the bare "*";
// otherwise the lists hold the values given under each key.
type Principal struct {
	All           bool
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Clause is one condition: an operator applied to one context key and a
// list of values, any of which may match ("StringEquals": {"aws:username":
// ["a", "b"]}). Numbers and booleans in the document are kept as their JSON
// text ("10", "true").
type Clause struct {
	Operator string
	Key      string
	Values   []string
}

// Kind is what a policy document is for. It decides which elements IAM
// accepts in it (IAM User Guide, "IAM JSON policy element reference").
type Kind uint8

// The kinds of policy documents.
const (
	// KindAny accepts what a policy of some kind may hold; it is what
	// [Parse] checks.
	KindAny Kind = iota
	// KindIdentity is an identity-based policy (inline or managed) or a
	// permissions boundary: every statement has Resource or NotResource,
	// each entry "*" or an ARN, and no Principal or NotPrincipal; Sids
	// are unique ("In IAM, the Sid value must be unique within a JSON
	// policy").
	KindIdentity
	// KindResource is a resource-based policy: every statement names a
	// Principal or NotPrincipal.
	KindResource
	// KindTrust is a role trust policy: a resource-based policy whose
	// resource is the role, so its statements name a Principal or
	// NotPrincipal and no Resource or NotResource.
	KindTrust
)

// String returns "any", "identity", "resource" or "trust".
func (k Kind) String() string {
	switch k {
	case KindIdentity:
		return "identity"
	case KindResource:
		return "resource"
	case KindTrust:
		return "trust"
	}
	return "any"
}

// Parse parses a policy document of any kind. A leading UTF-8 byte order
// mark is ignored. Errors are of type [*ParseError].
func Parse(data []byte) (*Policy, error) {
	return ParseAs(data, KindAny)
}

// ParseAs parses a policy document of the given kind and rejects, as IAM
// does, the elements that kind does not accept, with a [*ParseError] that
// locates them.
func ParseAs(data []byte, kind Kind) (*Policy, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	root, err := parseTree(data)
	if err != nil {
		return nil, err
	}
	p := &Policy{}
	if err := p.fromTree(data, root, kind); err != nil {
		return nil, err
	}
	if err := p.Compile(); err != nil {
		return nil, err
	}
	return p, nil
}

// ParseEncoded parses a policy document as found in IAM API responses: a
// JSON object, a URL-encoded (RFC 3986) document such as
// get-account-authorization-details returns, or either of those inside a
// JSON string. Line and column in errors refer to the decoded document.
func ParseEncoded(data []byte) (*Policy, error) {
	return ParseEncodedAs(data, KindAny)
}

// ParseEncodedAs is [ParseEncoded] for a document of the given kind, as
// [ParseAs].
func ParseEncodedAs(data []byte, kind Kind) (*Policy, error) {
	doc, err := decodeDocument(data)
	if err != nil {
		return nil, err
	}
	return ParseAs(doc, kind)
}

func decodeDocument(data []byte) ([]byte, error) {
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, syntaxError(data)
		}
		data = bytes.TrimSpace([]byte(s))
	}
	if len(data) > 0 && data[0] != '{' && bytes.IndexByte(data, '%') >= 0 {
		s, err := url.PathUnescape(string(data))
		if err != nil {
			return nil, &ParseError{Statement: -1, Err: fmt.Errorf("%w: URL-encoded document: %v", ErrSyntax, err)}
		}
		data = []byte(s)
	}
	return data, nil
}

// UnmarshalJSON implements json.Unmarshaler. It accepts what
// [ParseEncoded] accepts, so that a policy can be decoded straight from an
// IAM API response whose document is an object or an encoded string.
func (p *Policy) UnmarshalJSON(data []byte) error {
	q, err := ParseEncoded(data)
	if err != nil {
		return err
	}
	name := p.Name
	*p = *q
	p.Name = name
	return nil
}

// fromTree fills p from the parsed JSON.
func (p *Policy) fromTree(data []byte, root node, kind Kind) error {
	errAt := func(off int, stmt int, sid, elem string, err error) error {
		line, col := position(data, off)
		return &ParseError{Line: line, Column: col, Statement: stmt, Sid: sid, Element: elem, Err: err}
	}
	if root.kind != jsonObject {
		return errAt(root.off, -1, "", "", fmt.Errorf("%w: a policy is an object, got %s", ErrType, root.kind))
	}
	var stmts *node
	seen := map[string]bool{}
	for i := range root.fields {
		f := &root.fields[i]
		if seen[f.key] {
			return errAt(f.off, -1, "", f.key, ErrDuplicate)
		}
		seen[f.key] = true
		switch f.key {
		case "Version":
			if f.val.kind != jsonString {
				return errAt(f.val.off, -1, "", f.key, fmt.Errorf("%w: want string, got %s", ErrType, f.val.kind))
			}
			if f.val.text != Version2012 && f.val.text != Version2008 {
				return errAt(f.val.off, -1, "", f.key, fmt.Errorf("%w: %q (want %q or %q)", ErrValue, f.val.text, Version2012, Version2008))
			}
			p.Version = f.val.text
		case "Id":
			if f.val.kind != jsonString {
				return errAt(f.val.off, -1, "", f.key, fmt.Errorf("%w: want string, got %s", ErrType, f.val.kind))
			}
			p.ID = f.val.text
		case "Statement":
			stmts = &f.val
		default:
			return errAt(f.off, -1, "", "", fmt.Errorf("%w: %q", ErrElement, f.key))
		}
	}
	if stmts == nil {
		return errAt(root.off, -1, "", "Statement", ErrMissing)
	}
	var items []node
	switch stmts.kind {
	case jsonObject:
		items = []node{*stmts}
	case jsonArray:
		items = stmts.items
	default:
		return errAt(stmts.off, -1, "", "Statement", fmt.Errorf("%w: want object or list, got %s", ErrType, stmts.kind))
	}
	p.Statements = make([]Statement, 0, len(items))
	sids := map[string]int{}
	for i, n := range items {
		st, err := parseStatement(data, n, i, kind)
		if err != nil {
			return err
		}
		if kind == KindIdentity && st.Sid != "" {
			if j, dup := sids[st.Sid]; dup {
				off := n.off
				if f := n.field("Sid"); f != nil {
					off = f.val.off
				}
				return errAt(off, i, st.Sid, "Sid", fmt.Errorf("%w: Sid %q of statement %d again", ErrDuplicate, st.Sid, j))
			}
			sids[st.Sid] = i
		}
		p.Statements = append(p.Statements, st)
	}
	return nil
}

// field returns the field of object n with the given key, or nil.
func (n *node) field(key string) *field {
	for i := range n.fields {
		if n.fields[i].key == key {
			return &n.fields[i]
		}
	}
	return nil
}

// parseStatement parses statement number idx of a policy of the given
// kind.
func parseStatement(data []byte, n node, idx int, kind Kind) (Statement, error) {
	var st Statement
	errAt := func(off int, elem string, err error) error {
		line, col := position(data, off)
		return &ParseError{Line: line, Column: col, Statement: idx, Sid: st.Sid, Element: elem, Err: err}
	}
	if n.kind != jsonObject {
		return st, errAt(n.off, "", fmt.Errorf("%w: a statement is an object, got %s", ErrType, n.kind))
	}
	// Sid first, so that every later error can name it.
	for _, f := range n.fields {
		if f.key == "Sid" && f.val.kind == jsonString {
			st.Sid = f.val.text
		}
	}
	seen := map[string]int{}
	for i := range n.fields {
		f := &n.fields[i]
		if _, dup := seen[f.key]; dup {
			return st, errAt(f.off, f.key, ErrDuplicate)
		}
		seen[f.key] = f.off
		var err error
		switch f.key {
		case "Sid":
			if f.val.kind != jsonString {
				err = errAt(f.val.off, f.key, fmt.Errorf("%w: want string, got %s", ErrType, f.val.kind))
			}
		case "Effect":
			switch {
			case f.val.kind != jsonString:
				err = errAt(f.val.off, f.key, fmt.Errorf("%w: want string, got %s", ErrType, f.val.kind))
			case f.val.text == string(Allow) || f.val.text == string(Deny):
				st.Effect = Effect(f.val.text)
			default:
				err = errAt(f.val.off, f.key, fmt.Errorf("%w: %q (want \"Allow\" or \"Deny\")", ErrValue, f.val.text))
			}
		case "Action":
			st.Action, err = stringList(data, f.val, idx, st.Sid, f.key)
		case "NotAction":
			st.NotAction, err = stringList(data, f.val, idx, st.Sid, f.key)
		case "Resource":
			st.Resource, err = stringList(data, f.val, idx, st.Sid, f.key)
		case "NotResource":
			st.NotResource, err = stringList(data, f.val, idx, st.Sid, f.key)
		case "Principal":
			st.Principal, err = parsePrincipal(data, f.val, idx, st.Sid, f.key)
		case "NotPrincipal":
			st.NotPrincipal, err = parsePrincipal(data, f.val, idx, st.Sid, f.key)
		case "Condition":
			st.Condition, err = parseCondition(data, f.val, idx, st.Sid)
		default:
			err = errAt(f.off, "", fmt.Errorf("%w: %q", ErrElement, f.key))
		}
		if err != nil {
			return st, err
		}
	}
	conflict := func(a, b string) error {
		_, hasA := seen[a]
		off, hasB := seen[b]
		if hasA && hasB {
			return errAt(off, "", fmt.Errorf("%w: both %s and %s", ErrConflict, a, b))
		}
		return nil
	}
	for _, pair := range [][2]string{{"Action", "NotAction"}, {"Resource", "NotResource"}, {"Principal", "NotPrincipal"}} {
		if err := conflict(pair[0], pair[1]); err != nil {
			return st, err
		}
	}
	if st.Effect == "" {
		return st, errAt(n.off, "Effect", ErrMissing)
	}
	if st.Action == nil && st.NotAction == nil {
		return st, errAt(n.off, "Action", fmt.Errorf("%w: need Action or NotAction", ErrMissing))
	}
	return st, checkElements(&n, &st, kind, errAt)
}

// checkElements rejects what IAM rejects in a statement of a policy of the
// given kind (IAM User Guide, "IAM JSON policy element reference":
// Principal, Resource; "Policy grammar").
func checkElements(n *node, st *Statement, kind Kind, errAt func(off int, elem string, err error) error) error {
	has := func(key string) *field { return n.field(key) }
	switch kind {
	case KindIdentity:
		for _, key := range []string{"Principal", "NotPrincipal"} {
			if f := has(key); f != nil {
				return errAt(f.off, key, fmt.Errorf("%w: an identity-based policy names no principal; the principal is the identity it is attached to", ErrElement))
			}
		}
		if st.Resource == nil && st.NotResource == nil {
			return errAt(n.off, "Resource", fmt.Errorf("%w: an identity-based policy statement needs Resource or NotResource", ErrMissing))
		}
		for _, key := range []string{"Resource", "NotResource"} {
			f := has(key)
			if f == nil {
				continue
			}
			items := f.val.items
			if f.val.kind == jsonString {
				items = []node{f.val}
			}
			for _, it := range items {
				if !resourceShaped(it.text) {
					return errAt(it.off, key, fmt.Errorf("%w: %q is neither \"*\" nor an ARN (arn:partition:service:region:account:resource)", ErrValue, it.text))
				}
			}
		}
	case KindResource, KindTrust:
		if st.Principal == nil && st.NotPrincipal == nil {
			return errAt(n.off, "Principal", fmt.Errorf("%w: a %s policy statement needs Principal or NotPrincipal", ErrMissing, kind))
		}
		if kind == KindTrust {
			for _, key := range []string{"Resource", "NotResource"} {
				if f := has(key); f != nil {
					return errAt(f.off, key, fmt.Errorf("%w: a trust policy's resource is its role; it has no %s", ErrElement, key))
				}
			}
		}
	}
	return nil
}

// resourceShaped reports whether a Resource entry is "*" or has the six
// colon-separated parts of an ARN (IAM User Guide, "IAM identifiers", ARN
// format: arn:partition:service:region:account-id:resource).
func resourceShaped(r string) bool {
	return r == "*" || strings.HasPrefix(r, "arn:") && strings.Count(r, ":") >= 5
}

// stringList parses an element that IAM accepts as a string or a list of
// strings.
func stringList(data []byte, n node, idx int, sid, elem string) ([]string, error) {
	errAt := func(off int, err error) error {
		line, col := position(data, off)
		return &ParseError{Line: line, Column: col, Statement: idx, Sid: sid, Element: elem, Err: err}
	}
	switch n.kind {
	case jsonString:
		return []string{n.text}, nil
	case jsonArray:
		if len(n.items) == 0 {
			return nil, errAt(n.off, fmt.Errorf("%w: empty list", ErrValue))
		}
		out := make([]string, len(n.items))
		for i, it := range n.items {
			if it.kind != jsonString {
				return nil, errAt(it.off, fmt.Errorf("%w: want string, got %s", ErrType, it.kind))
			}
			out[i] = it.text
		}
		return out, nil
	}
	return nil, errAt(n.off, fmt.Errorf("%w: want string or list of strings, got %s", ErrType, n.kind))
}

// principalKeys are the keys of a Principal object, in canonical order.
var principalKeys = [...]string{"AWS", "CanonicalUser", "Federated", "Service"}

func parsePrincipal(data []byte, n node, idx int, sid, elem string) (*Principal, error) {
	errAt := func(off int, err error) error {
		line, col := position(data, off)
		return &ParseError{Line: line, Column: col, Statement: idx, Sid: sid, Element: elem, Err: err}
	}
	switch n.kind {
	case jsonString:
		if n.text != "*" {
			return nil, errAt(n.off, fmt.Errorf("%w: a principal string must be \"*\", got %q", ErrValue, n.text))
		}
		return &Principal{All: true}, nil
	case jsonObject:
	default:
		return nil, errAt(n.off, fmt.Errorf("%w: want \"*\" or object, got %s", ErrType, n.kind))
	}
	if len(n.fields) == 0 {
		return nil, errAt(n.off, fmt.Errorf("%w: empty principal", ErrValue))
	}
	p := &Principal{}
	for _, f := range n.fields {
		vals, err := stringList(data, f.val, idx, sid, elem+"."+f.key)
		if err != nil {
			return nil, err
		}
		var dst *[]string
		switch f.key {
		case "AWS":
			dst = &p.AWS
		case "Service":
			dst = &p.Service
		case "Federated":
			dst = &p.Federated
		case "CanonicalUser":
			dst = &p.CanonicalUser
		default:
			return nil, errAt(f.off, fmt.Errorf("%w: principal type %q", ErrElement, f.key))
		}
		if *dst != nil {
			return nil, errAt(f.off, fmt.Errorf("%w: principal type %q", ErrDuplicate, f.key))
		}
		*dst = vals
	}
	return p, nil
}

// parseCondition parses a Condition block into clauses sorted by operator
// and key.
func parseCondition(data []byte, n node, idx int, sid string) ([]Clause, error) {
	errAt := func(off int, elem string, err error) error {
		line, col := position(data, off)
		return &ParseError{Line: line, Column: col, Statement: idx, Sid: sid, Element: elem, Err: err}
	}
	if n.kind != jsonObject {
		return nil, errAt(n.off, "Condition", fmt.Errorf("%w: want object, got %s", ErrType, n.kind))
	}
	var out []Clause
	ops := map[string]bool{}
	for _, opf := range n.fields {
		elem := "Condition." + opf.key
		if _, err := parseOperator(opf.key); err != nil {
			return nil, errAt(opf.off, "Condition", err)
		}
		if ops[opf.key] {
			return nil, errAt(opf.off, elem, ErrDuplicate)
		}
		ops[opf.key] = true
		if opf.val.kind != jsonObject {
			return nil, errAt(opf.val.off, elem, fmt.Errorf("%w: want object, got %s", ErrType, opf.val.kind))
		}
		keys := map[string]bool{}
		for _, kf := range opf.val.fields {
			lk := strings.ToLower(kf.key)
			if keys[lk] {
				return nil, errAt(kf.off, elem, fmt.Errorf("%w: condition key %q", ErrDuplicate, kf.key))
			}
			keys[lk] = true
			var vals []string
			switch kf.val.kind {
			case jsonString, jsonNumber, jsonBool:
				vals = []string{kf.val.text}
			case jsonArray:
				if len(kf.val.items) == 0 {
					return nil, errAt(kf.val.off, elem, fmt.Errorf("%w: empty list for %q", ErrValue, kf.key))
				}
				for _, it := range kf.val.items {
					switch it.kind {
					case jsonString, jsonNumber, jsonBool:
						vals = append(vals, it.text)
					default:
						return nil, errAt(it.off, elem, fmt.Errorf("%w: condition values are strings, numbers or booleans, got %s", ErrType, it.kind))
					}
				}
			default:
				return nil, errAt(kf.val.off, elem, fmt.Errorf("%w: condition values are strings, numbers or booleans, got %s", ErrType, kf.val.kind))
			}
			out = append(out, Clause{Operator: opf.key, Key: kf.key, Values: vals})
		}
	}
	sortClauses(out)
	return out, nil
}
