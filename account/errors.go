package account

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap one of these where
// one applies; test with [errors.Is].
var (
	// ErrFormat means the input is not what the reader expects: not
	// get-account-authorization-details output, or not a credential report.
	ErrFormat = errors.New("account: unexpected input format")
	// ErrSyntax means the input is not well-formed JSON or CSV.
	ErrSyntax = errors.New("account: syntax error")
	// ErrDocument means a policy document is neither a JSON object nor a
	// string holding one (plain or URL-encoded).
	ErrDocument = errors.New("account: malformed policy document")
	// ErrNotFound means no user or role matches a name or ARN.
	ErrNotFound = errors.New("account: principal not found")
	// ErrAmbiguous means a bare name matches both a user and a role.
	ErrAmbiguous = errors.New("account: ambiguous principal name")
	// ErrAccessDenied means IAM refused a call for lack of permission.
	ErrAccessDenied = errors.New("account: access denied")
	// ErrReportTimeout means IAM did not finish the credential report in
	// the time allowed.
	ErrReportTimeout = errors.New("account: credential report not ready in time")
)

// ParseError is an error in an input file, with its position. Its message
// reads "file:line:column: field: cause". Line and
// Column are 1-based byte positions, 0 when unknown; Field is the location
// of the offending value in the document, such as
// "RoleDetailList[3].RolePolicyList[0].PolicyDocument", or empty.
type ParseError struct {
	Path   string // file name as given, or "-" for standard input
	Line   int
	Column int
	Field  string
	Err    error
}

func (e *ParseError) Error() string {
	s := e.Path
	if e.Line > 0 {
		s += fmt.Sprintf(":%d:%d", e.Line, e.Column)
	}
	if e.Field != "" {
		s += ": " + e.Field
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// AccessDeniedError is a call IAM refused. Action is the IAM action the
// credentials lack, such as "iam:GetAccountAuthorizationDetails".
type AccessDeniedError struct {
	Action string
	Err    error // the error the AWS SDK returned
}

func (e *AccessDeniedError) Error() string {
	return fmt.Sprintf("account: access denied: the credentials lack the read-only permission %s (grant it, e.g. with the AWS managed policy SecurityAudit): %v", e.Action, e.Err)
}

// Unwrap returns ErrAccessDenied and the SDK's error.
func (e *AccessDeniedError) Unwrap() []error { return []error{ErrAccessDenied, e.Err} }

// position returns the 1-based line and column of the byte at offset off in
// data.
func position(data []byte, off int64) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col = 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
