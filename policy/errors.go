package policy

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Errors wrapped by [*ParseError]. Test with errors.Is.
var (
	// ErrSyntax reports malformed JSON.
	ErrSyntax = errors.New("policy: invalid JSON")
	// ErrType reports an element whose JSON type IAM does not accept, such
	// as a number for Action.
	ErrType = errors.New("policy: wrong type")
	// ErrElement reports an element IAM does not know, such as "Actions".
	ErrElement = errors.New("policy: unknown element")
	// ErrDuplicate reports an element given twice in the same object.
	ErrDuplicate = errors.New("policy: duplicate element")
	// ErrMissing reports a required element that is absent: Statement,
	// Effect, or both Action and NotAction.
	ErrMissing = errors.New("policy: missing element")
	// ErrConflict reports two elements that exclude each other, such as
	// Action and NotAction in one statement.
	ErrConflict = errors.New("policy: conflicting elements")
	// ErrValue reports a value IAM rejects: an Effect other than Allow or
	// Deny, an unknown Version, an unknown condition operator, an empty
	// list.
	ErrValue = errors.New("policy: invalid value")
)

// A ParseError is returned for a document that does not parse. Line and
// Column (both 1-based, Column counting characters) locate the problem in
// the input; they are 0 when the position is unknown. Statement is the
// 0-based index of the statement concerned, or -1 when the problem is not in
// a statement.
type ParseError struct {
	Line      int
	Column    int
	Statement int
	Sid       string
	// Element is the policy element concerned ("Effect", "Condition"), if
	// any.
	Element string
	Err     error
}

// Error formats the error as "policy: line L, column C: statement N (Sid
// "S"): Element: problem", leaving out the parts that are unknown.
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("policy: ")
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d, column %d: ", e.Line, e.Column)
	}
	if e.Statement >= 0 {
		fmt.Fprintf(&b, "statement %d", e.Statement)
		if e.Sid != "" {
			fmt.Fprintf(&b, " (Sid %q)", e.Sid)
		}
		b.WriteString(": ")
	}
	if e.Element != "" {
		b.WriteString(e.Element)
		b.WriteString(": ")
	}
	b.WriteString(strings.TrimPrefix(e.Err.Error(), "policy: "))
	return b.String()
}

// Unwrap returns the sentinel the error wraps.
func (e *ParseError) Unwrap() error { return e.Err }

// position returns the 1-based line and column (in characters) of byte
// offset off in data.
func position(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	line = 1
	start := 0
	for i := 0; i < off; i++ {
		if data[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, utf8.RuneCount(data[start:off]) + 1
}
