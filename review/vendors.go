package review

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/tailor-sec/tailor"
	"go.yaml.in/yaml/v3"
)

// ErrVendors marks a known-accounts list that cannot be read: not YAML, not
// a list of entries, or an entry without a name or with an account id that
// is not 12 digits.
var ErrVendors = errors.New("review: bad known-accounts list")

// Vendor is one entry of a known-accounts list, in the format of the
// public known_aws_accounts.yaml (fwdcloudsec/known_aws_accounts):
//
//   - name: 'Datadog'
//     source: ['https://docs.datadoghq.com/integrations/guide/aws-manual-setup/']
//     accounts: ['464622532012', '865078226113']
//   - name: 'Billing'
//     type: 'aws'
//     accounts: ['386209384616']
//     enabled: false
//     deprecated_date: '2024-01-31'
type Vendor struct {
	Name     string
	Accounts []string
	Sources  []string
	// AWS is true for accounts AWS itself uses for a service (type: aws);
	// Name then names the service.
	AWS bool
	// Disabled is true when the entry says enabled: false, as entries of
	// accounts a vendor no longer uses do; Deprecated is its
	// deprecated_date, if any.
	Disabled   bool
	Deprecated string
	// Line is the entry's line in the file.
	Line int
}

// Vendors is a known-accounts list indexed by account. It is read-only once
// built and safe for concurrent use.
type Vendors struct {
	source  string
	entries []*Vendor
	byID    map[string][]*Vendor
}

// VendorsError is a problem in a known-accounts list, with its position.
type VendorsError struct {
	Path   string
	Line   int // 1-based; 0 when unknown
	Column int // 1-based; 0 when unknown
	Msg    string
}

// Error returns "path:line:column: review: bad known-accounts list: msg".
func (e *VendorsError) Error() string {
	pos := e.Path
	if e.Line > 0 {
		pos += fmt.Sprintf(":%d", e.Line)
		if e.Column > 0 {
			pos += fmt.Sprintf(":%d", e.Column)
		}
	}
	return fmt.Sprintf("%s: %v: %s", pos, ErrVendors, e.Msg)
}

// Unwrap returns ErrVendors.
func (e *VendorsError) Unwrap() error { return ErrVendors }

// LoadVendors reads a known-accounts list from the named file; see
// ReadVendors. A file that cannot be one, such as a directory or a
// Parquet file, is a *tailor.KindError that says what it is.
func LoadVendors(path string) (*Vendors, error) {
	if ke, ok := tailor.Check(path, []tailor.Kind{tailor.KindVendors}, RecognizeVendors).(*tailor.KindError); ok {
		ke.Sentinel = ErrVendors
		return nil, fmt.Errorf("read known accounts: %w", ke)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read known accounts: %w", err)
	}
	defer f.Close()
	return ReadVendors(f, path)
}

// ReadVendors reads a known-accounts list in the format of
// known_aws_accounts.yaml: a YAML sequence of entries with a name, a list
// of 12-digit accounts, and optionally sources, type ("aws"), enabled and
// deprecated_date. Keys it does not know are ignored, so that a newer list
// still reads. name is used in errors, which are *VendorsError values with
// the line and column.
func ReadVendors(r io.Reader, name string) (*Vendors, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read known accounts %s: %w", name, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &VendorsError{Path: name, Line: yamlErrorLine(err), Msg: "not YAML: " + err.Error()}
	}
	v := &Vendors{source: name, byID: map[string][]*Vendor{}}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, &VendorsError{Path: name, Msg: "empty file"}
	}
	seq := root.Content[0]
	if seq.Kind != yaml.SequenceNode {
		return nil, &VendorsError{Path: name, Line: seq.Line, Column: seq.Column, Msg: "want a list of entries"}
	}
	for _, n := range seq.Content {
		e, err := readVendor(n, name)
		if err != nil {
			return nil, err
		}
		v.entries = append(v.entries, e)
		for _, a := range e.Accounts {
			v.byID[a] = append(v.byID[a], e)
		}
	}
	return v, nil
}

func readVendor(n *yaml.Node, path string) (*Vendor, error) {
	bad := func(at *yaml.Node, format string, args ...any) error {
		return &VendorsError{Path: path, Line: at.Line, Column: at.Column, Msg: fmt.Sprintf(format, args...)}
	}
	if n.Kind != yaml.MappingNode {
		return nil, bad(n, "an entry is not a mapping")
	}
	e := &Vendor{Line: n.Line}
	strs := func(val *yaml.Node, key string) ([]string, error) {
		switch val.Kind {
		case yaml.ScalarNode:
			return []string{val.Value}, nil
		case yaml.SequenceNode:
			out := make([]string, 0, len(val.Content))
			for _, c := range val.Content {
				if c.Kind != yaml.ScalarNode {
					return nil, bad(c, "%s: want strings", key)
				}
				out = append(out, c.Value)
			}
			return out, nil
		}
		return nil, bad(val, "%s: want a list of strings", key)
	}
	hasAccounts := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		var err error
		switch key.Value {
		case "name":
			if val.Kind != yaml.ScalarNode {
				return nil, bad(val, "name: want a string")
			}
			e.Name = strings.TrimSpace(val.Value)
		case "accounts":
			hasAccounts = true
			if e.Accounts, err = strs(val, "accounts"); err != nil {
				return nil, err
			}
			for j, a := range e.Accounts {
				if !tailor.IsAccountID(a) {
					at := val
					if val.Kind == yaml.SequenceNode {
						at = val.Content[j]
					}
					return nil, bad(at, "account %q is not 12 digits", a)
				}
			}
		case "source":
			if e.Sources, err = strs(val, "source"); err != nil {
				return nil, err
			}
		case "type":
			e.AWS = val.Value == "aws"
		case "enabled":
			e.Disabled = val.Value == "false"
		case "deprecated_date":
			e.Deprecated = val.Value
		}
	}
	if e.Name == "" {
		return nil, bad(n, "an entry has no name")
	}
	if !hasAccounts {
		return nil, bad(n, "entry %q has no accounts", e.Name)
	}
	return e, nil
}

// yamlErrorLine pulls the line out of a yaml error message ("yaml: line 3:
// ..."), or 0.
func yamlErrorLine(err error) int {
	var line int
	if _, scanErr := fmt.Sscanf(err.Error(), "yaml: line %d:", &line); scanErr == nil {
		return line
	}
	return 0
}

// Source returns the name the list was read from.
func (v *Vendors) Source() string {
	if v == nil {
		return ""
	}
	return v.source
}

// Len returns the number of entries.
func (v *Vendors) Len() int {
	if v == nil {
		return 0
	}
	return len(v.entries)
}

// Entries returns the entries in file order.
func (v *Vendors) Entries() []*Vendor {
	if v == nil {
		return nil
	}
	return v.entries
}

// Lookup returns the entry that names an account: the first enabled one,
// else the first. A nil *Vendors knows no account.
func (v *Vendors) Lookup(account string) (*Vendor, bool) {
	if v == nil {
		return nil, false
	}
	es := v.byID[account]
	for _, e := range es {
		if !e.Disabled {
			return e, true
		}
	}
	if len(es) > 0 {
		return es[0], true
	}
	return nil, false
}

// Find returns the entries whose name is name, ignoring case; when none
// is, those whose name contains it. Entries come in file order.
func (v *Vendors) Find(name string) []*Vendor {
	if v == nil || strings.TrimSpace(name) == "" {
		return nil
	}
	name = strings.TrimSpace(name)
	var exact, part []*Vendor
	low := strings.ToLower(name)
	for _, e := range v.entries {
		switch {
		case strings.EqualFold(e.Name, name):
			exact = append(exact, e)
		case strings.Contains(strings.ToLower(e.Name), low):
			part = append(part, e)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return part
}

// Accounts returns the sorted, distinct accounts of the entries.
func Accounts(entries []*Vendor) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Accounts...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
