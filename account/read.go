package account

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/tailor-sec/tailor"
)

// LoadFile reads get-account-authorization-details output from the named
// file and returns the snapshot it describes; see [Read]. A file of
// another kind (see [Recognize]) is a *tailor.KindError that says what it
// is.
func LoadFile(name string) (*Snapshot, error) {
	if err := checkKind(name, tailor.KindSnapshot); err != nil {
		return nil, fmt.Errorf("account: %w", err)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("account: open authorization details: %w", err)
	}
	defer f.Close()
	return Read(f, name)
}

// Read reads get-account-authorization-details output from r and returns the
// snapshot it describes. name is used in errors and warnings.
//
// The input is the JSON the AWS CLI prints, or the raw pages of the API
// concatenated one after another or wrapped in a JSON array; pages are
// merged. Errors are [*ParseError] values naming the file, and for JSON
// syntax and type errors the line and column. A file that holds something
// else, such as cloudsplaining's analysis results or a credential report,
// gives an error wrapping [ErrFormat] that says what the file appears to be.
func Read(r io.Reader, name string) (*Snapshot, error) {
	d, warnings, err := ReadAuthorizationDetails(r, name)
	if err != nil {
		return nil, err
	}
	s := newSnapshot(d)
	s.warnings = append(warnings, s.warnings...)
	return s, nil
}

// ReadAuthorizationDetails reads get-account-authorization-details output
// from r, as [Read] does, and returns it without building a snapshot, with
// warnings about the input itself (a last page still marked truncated).
// Policy documents are normalized as [New] does.
func ReadAuthorizationDetails(r io.Reader, name string) (*AuthorizationDetails, []Warning, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("account: read %s: %w", name, err)
	}
	fail := func(off int64, field string, err error) error {
		pe := &ParseError{Path: name, Field: field, Err: err}
		if off >= 0 {
			pe.Line, pe.Column = position(data, off)
		}
		return pe
	}

	values, err := splitValues(data)
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, nil, fail(se.Offset-1, "", fmt.Errorf("%w: %v", ErrSyntax, err))
		}
		return nil, nil, fail(-1, "", err)
	}
	if len(values) == 0 {
		return nil, nil, fail(-1, "", fmt.Errorf("%w: empty input", ErrFormat))
	}

	var d AuthorizationDetails
	var warnings []Warning
	for i, v := range values {
		if v.raw[0] != '{' {
			return nil, nil, fail(v.off, "", classify(v.raw))
		}
		var p page
		if err := json.Unmarshal(v.raw, &p); err != nil {
			if cerr := classify(v.raw); cerr != nil {
				return nil, nil, fail(v.off, "", cerr)
			}
			off, field := int64(-1), ""
			var te *json.UnmarshalTypeError
			var se *json.SyntaxError
			var tme *timeError
			switch {
			case errors.As(err, &tme):
				off = v.off
				if j := bytes.Index(v.raw, []byte(strconv.Quote(tme.text))); j >= 0 {
					off += int64(j)
				}
				err = fmt.Errorf("%w: %v", ErrFormat, tme)
			case errors.As(err, &te):
				off, field = v.off+te.Offset-1, strings.TrimPrefix(te.Field, "AuthorizationDetails.")
				err = fmt.Errorf("%w: found a JSON %s where %s belongs", ErrFormat, te.Value, describeType(te.Type))
			case errors.As(err, &se):
				off = v.off + se.Offset - 1
				err = fmt.Errorf("%w: %v", ErrSyntax, err)
			default:
				off = v.off
			}
			return nil, nil, fail(off, field, err)
		}
		if p.UserDetailList == nil && p.GroupDetailList == nil && p.RoleDetailList == nil && p.Policies == nil {
			if err := classify(v.raw); err != nil {
				return nil, nil, fail(v.off, "", err)
			}
		}
		d.UserDetailList = append(d.UserDetailList, p.UserDetailList...)
		d.GroupDetailList = append(d.GroupDetailList, p.GroupDetailList...)
		d.RoleDetailList = append(d.RoleDetailList, p.RoleDetailList...)
		d.Policies = append(d.Policies, p.Policies...)
		d.ServiceLastAccessedDetails = append(d.ServiceLastAccessedDetails, p.ServiceLastAccessedDetails...)
		if i == len(values)-1 && p.IsTruncated {
			warnings = append(warnings, Warning{
				Kind:    WarnTruncated,
				Subject: name,
				Message: fmt.Sprintf("%s: the last page is marked IsTruncated (Marker %q): the output is incomplete; fetch the remaining pages or run without --max-items", name, p.Marker),
			})
		}
	}
	if err := normalize(&d); err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.Path = name
		}
		return nil, nil, err
	}
	return &d, warnings, nil
}

// page is one page of GetAccountAuthorizationDetails as printed raw.
type page struct {
	AuthorizationDetails
	IsTruncated bool   `json:"IsTruncated"`
	Marker      string `json:"Marker"`
}

type rawValue struct {
	raw json.RawMessage
	off int64 // offset of the value's first byte in the input
}

// splitValues returns the top-level JSON values of data: each element when
// data is one array, else each value of a stream of concatenated values.
func splitValues(data []byte) ([]rawValue, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	dec := json.NewDecoder(bytes.NewReader(data))
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		var out []rawValue
		for dec.More() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, err
			}
			out = append(out, rawValue{raw, dec.InputOffset() - int64(len(raw))})
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		if _, err := dec.Token(); err != io.EOF {
			if err == nil {
				return nil, &json.SyntaxError{Offset: dec.InputOffset()}
			}
			return nil, err
		}
		return out, nil
	}
	var out []rawValue
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, rawValue{raw, dec.InputOffset() - int64(len(raw))})
	}
}

// detailKeys are the top-level keys of get-account-authorization-details.
var detailKeys = []string{"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"}

// classify returns nil when raw looks like a page of authorization details,
// else an error wrapping ErrFormat that says what raw appears to be.
func classify(raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return fmt.Errorf("%w: want a JSON object of get-account-authorization-details output, found %s", ErrFormat, describeJSON(raw))
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	for _, k := range detailKeys {
		if _, ok := top[k]; ok {
			return nil
		}
	}
	has := func(keys ...string) bool {
		for _, k := range keys {
			if _, ok := top[k]; !ok {
				return false
			}
		}
		return true
	}
	const want = `want the output of "aws iam get-account-authorization-details"`
	switch {
	case has("roles", "users", "groups") && (has("aws_managed_policies") || has("customer_managed_policies") || has("inline_policies")):
		return fmt.Errorf("%w: this is a cloudsplaining analysis results file (iam-results JSON: per-principal findings), not IAM data; %s, the file cloudsplaining was given to analyse", ErrFormat, want)
	case has("Content") && (has("ReportFormat") || has("GeneratedTime")):
		return fmt.Errorf("%w: this is a credential report (aws iam get-credential-report output), not authorization details; pass it as the credential report instead; %s", ErrFormat, want)
	case has("Records"):
		return fmt.Errorf("%w: this is a CloudTrail log file, not authorization details; %s", ErrFormat, want)
	case has("Statement"):
		return fmt.Errorf("%w: this is a single policy document, not authorization details; %s", ErrFormat, want)
	}
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > 8 {
		keys = append(keys[:8], "…")
	}
	return fmt.Errorf("%w: none of %s found (top-level keys: %s); %s", ErrFormat, strings.Join(detailKeys, ", "), strings.Join(keys, ", "), want)
}

// describeType names what a Go type holds, for messages about JSON values
// of the wrong kind.
func describeType(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	if t == reflect.TypeFor[Time]() {
		return "a timestamp"
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Float64:
		return "a number"
	}
	return "a " + t.String()
}
