package account

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tailor-sec/tailor"
)

// CredentialReport is the IAM credential report: one row per user, plus the
// account root user, with the state of its password, MFA, access keys and
// signing certificates.
type CredentialReport struct {
	// GeneratedTime is when IAM generated the report; zero when unknown
	// (the bare CSV does not say).
	GeneratedTime time.Time
	Credentials   []Credential
}

// Credential is one row of the credential report. Timestamp and flag fields
// say, through their Status, why they hold no value: "N/A" (not applicable,
// such as a key that does not exist), "no_information" (IAM does not know,
// such as a password never used since IAM began tracking), or
// "not_supported" (such as password rotation for the root user).
type Credential struct {
	User                 string // "<root_account>" for the root user
	ARN                  string
	UserCreationTime     Timestamp
	PasswordEnabled      Flag
	PasswordLastUsed     Timestamp
	PasswordLastChanged  Timestamp
	PasswordNextRotation Timestamp
	MFAActive            Flag
	AccessKeys           [2]AccessKey
	Certs                [2]Certificate
}

// Root reports whether the row is the account's root user.
func (c *Credential) Root() bool {
	return c.User == "<root_account>" || strings.HasSuffix(c.ARN, ":root")
}

// AccessKey is the state of one of a user's two access keys. LastUsedRegion
// and LastUsedService are empty when the report says N/A.
type AccessKey struct {
	Active          Flag
	LastRotated     Timestamp
	LastUsedDate    Timestamp
	LastUsedRegion  string
	LastUsedService string
}

// Certificate is the state of one of a user's two signing certificates.
type Certificate struct {
	Active      Flag
	LastRotated Timestamp
}

// Status says why a credential report field holds no value.
type Status string

// The reasons a field holds no value. StatusPresent means it holds one.
const (
	StatusPresent       Status = ""
	StatusNA            Status = "N/A"
	StatusNoInformation Status = "no_information"
	StatusNotSupported  Status = "not_supported"
)

// Timestamp is a credential report time: Time when Status is
// StatusPresent, else the zero time.
type Timestamp struct {
	Time   time.Time
	Status Status
}

// Valid reports whether the timestamp holds a time.
func (t Timestamp) Valid() bool { return t.Status == StatusPresent && !t.Time.IsZero() }

func (t Timestamp) String() string {
	if t.Status != StatusPresent {
		return string(t.Status)
	}
	if t.Time.IsZero() {
		return ""
	}
	return t.Time.Format(time.RFC3339)
}

// Flag is a credential report boolean: Value when Status is StatusPresent.
type Flag struct {
	Value  bool
	Status Status
}

// True reports whether the flag holds true.
func (f Flag) True() bool { return f.Status == StatusPresent && f.Value }

// Lookup returns the row for a user name or ARN, or nil.
func (r *CredentialReport) Lookup(userOrARN string) *Credential {
	for i := range r.Credentials {
		c := &r.Credentials[i]
		if c.ARN == userOrARN || c.User == userOrARN {
			return c
		}
	}
	return nil
}

// LoadCredentialReport reads a credential report from the named file; see
// [ReadCredentialReport]. A file of another kind (see [Recognize]) is a
// *tailor.KindError that says what it is.
func LoadCredentialReport(name string) (*CredentialReport, error) {
	if err := checkKind(name, tailor.KindCredentialReport); err != nil {
		return nil, fmt.Errorf("account: %w", err)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("account: open credential report: %w", err)
	}
	defer f.Close()
	return ReadCredentialReport(f, name)
}

// ReadCredentialReport reads a credential report from r: the CSV IAM
// produces (timestamps with "+00:00" or "Z"), or the JSON that
// aws iam get-credential-report prints, whose Content holds the CSV base64-
// encoded or already decoded. Columns are found by their header name, so
// added or reordered columns are fine; "user" and "arn" are required. name
// is used in errors, which are [*ParseError] values with the line and column.
func ReadCredentialReport(r io.Reader, name string) (*CredentialReport, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("account: read %s: %w", name, err)
	}
	rep := &CredentialReport{}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var w struct {
			Content       string
			GeneratedTime Time
			ReportFormat  string
		}
		if err := json.Unmarshal(trimmed, &w); err != nil {
			pe := &ParseError{Path: name, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
			var se *json.SyntaxError
			if errors.As(err, &se) {
				pe.Line, pe.Column = position(data, int64(len(data)-len(bytes.TrimLeft(data, " \t\r\n")))+se.Offset-1)
			}
			return nil, pe
		}
		if w.Content == "" {
			return nil, &ParseError{Path: name, Err: fmt.Errorf("%w: JSON without a Content field: not aws iam get-credential-report output", ErrFormat)}
		}
		if w.ReportFormat != "" && w.ReportFormat != "text/csv" {
			return nil, &ParseError{Path: name, Field: "ReportFormat", Err: fmt.Errorf("%w: report format %q, want text/csv", ErrFormat, w.ReportFormat)}
		}
		content, err := reportContent(w.Content)
		if err != nil {
			return nil, &ParseError{Path: name, Field: "Content", Err: err}
		}
		data = content
		rep.GeneratedTime = w.GeneratedTime.Time
		name += " (Content)"
	}
	rows, err := parseCredentialCSV(data, name)
	if err != nil {
		return nil, err
	}
	rep.Credentials = rows
	return rep, nil
}

// reportContent returns the CSV held in a get-credential-report Content
// field: base64 as the API and AWS CLI v2 give it, or already decoded. A
// CSV has commas, which base64 never does.
func reportContent(s string) ([]byte, error) {
	if strings.ContainsAny(s, ",\n") {
		return []byte(s), nil
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%w: Content is neither CSV nor base64: %v", ErrFormat, err)
	}
	return b, nil
}

func timeField(f func(*Credential) *Timestamp) func(*Credential, string) error {
	return func(c *Credential, v string) error {
		t, err := parseStamp(v)
		*f(c) = t
		return err
	}
}

func flagField(f func(*Credential) *Flag) func(*Credential, string) error {
	return func(c *Credential, v string) error {
		fl, err := parseFlag(v)
		*f(c) = fl
		return err
	}
}

func textField(f func(*Credential) *string) func(*Credential, string) error {
	return func(c *Credential, v string) error {
		if v == string(StatusNA) {
			v = ""
		}
		*f(c) = v
		return nil
	}
}

// columnSetter returns how to store the named column, or nil for a column
// this package does not know.
func columnSetter(col string) func(*Credential, string) error {
	switch col {
	case "user":
		return func(c *Credential, v string) error { c.User = v; return nil }
	case "arn":
		return func(c *Credential, v string) error { c.ARN = v; return nil }
	case "user_creation_time":
		return timeField(func(c *Credential) *Timestamp { return &c.UserCreationTime })
	case "password_enabled":
		return flagField(func(c *Credential) *Flag { return &c.PasswordEnabled })
	case "password_last_used":
		return timeField(func(c *Credential) *Timestamp { return &c.PasswordLastUsed })
	case "password_last_changed":
		return timeField(func(c *Credential) *Timestamp { return &c.PasswordLastChanged })
	case "password_next_rotation":
		return timeField(func(c *Credential) *Timestamp { return &c.PasswordNextRotation })
	case "mfa_active":
		return flagField(func(c *Credential) *Flag { return &c.MFAActive })
	}
	for i := range 2 {
		n := fmt.Sprint(i + 1)
		k := func(c *Credential) *AccessKey { return &c.AccessKeys[i] }
		ct := func(c *Credential) *Certificate { return &c.Certs[i] }
		switch col {
		case "access_key_" + n + "_active":
			return flagField(func(c *Credential) *Flag { return &k(c).Active })
		case "access_key_" + n + "_last_rotated":
			return timeField(func(c *Credential) *Timestamp { return &k(c).LastRotated })
		case "access_key_" + n + "_last_used_date":
			return timeField(func(c *Credential) *Timestamp { return &k(c).LastUsedDate })
		case "access_key_" + n + "_last_used_region":
			return textField(func(c *Credential) *string { return &k(c).LastUsedRegion })
		case "access_key_" + n + "_last_used_service":
			return textField(func(c *Credential) *string { return &k(c).LastUsedService })
		case "cert_" + n + "_active":
			return flagField(func(c *Credential) *Flag { return &ct(c).Active })
		case "cert_" + n + "_last_rotated":
			return timeField(func(c *Credential) *Timestamp { return &ct(c).LastRotated })
		}
	}
	return nil
}

func parseStatus(v string) (Status, bool) {
	switch Status(v) {
	case StatusNA, StatusNoInformation, StatusNotSupported:
		return Status(v), true
	}
	return StatusPresent, false
}

func parseStamp(v string) (Timestamp, error) {
	if st, ok := parseStatus(v); ok {
		return Timestamp{Status: st}, nil
	}
	if v == "" {
		return Timestamp{Status: StatusNA}, nil
	}
	t, err := parseTime(v)
	if err != nil {
		return Timestamp{}, err
	}
	return Timestamp{Time: t}, nil
}

func parseFlag(v string) (Flag, error) {
	if st, ok := parseStatus(v); ok {
		return Flag{Status: st}, nil
	}
	switch strings.ToLower(v) {
	case "true":
		return Flag{Value: true}, nil
	case "false":
		return Flag{Value: false}, nil
	}
	return Flag{}, fmt.Errorf("parse flag %q: want true, false, N/A, no_information or not_supported", v)
}

func parseCredentialCSV(data []byte, name string) ([]Credential, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = 0
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &ParseError{Path: name, Err: fmt.Errorf("%w: empty credential report", ErrFormat)}
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	setters := make([]func(*Credential, string) error, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		header[i] = h
		setters[i] = columnSetter(h)
		seen[h] = true
	}
	if !seen["user"] || !seen["arn"] {
		return nil, &ParseError{Path: name, Line: 1, Column: 1, Err: fmt.Errorf("%w: header lacks the user and arn columns: not an IAM credential report", ErrFormat)}
	}
	var out []Credential
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		var c Credential
		for i, v := range rec {
			if setters[i] == nil {
				continue
			}
			if err := setters[i](&c, strings.TrimSpace(v)); err != nil {
				line, col := cr.FieldPos(i)
				return nil, &ParseError{Path: name, Line: line, Column: col, Field: header[i], Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
			}
		}
		out = append(out, c)
	}
}

func csvError(name string, err error) error {
	pe := &ParseError{Path: name, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
	var ce *csv.ParseError
	if errors.As(err, &ce) {
		pe.Line, pe.Column = ce.Line, ce.Column
		pe.Err = fmt.Errorf("%w: %v", ErrSyntax, ce.Err)
	}
	return pe
}
