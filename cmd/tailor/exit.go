package main

import (
	"errors"
	"fmt"

	"github.com/tailor-sec/tailor"
)

// Exit codes. They are listed in `tailor --help` and in the README.
const (
	exitOK       = 0 // success
	exitError    = 1 // the command failed
	exitUsage    = 2 // bad flags or arguments, a file of the wrong kind
	exitUnmapped = 3 // catalog map: the event maps to no IAM action
	exitPartial  = 4 // finished, but some input was unreadable or held no records
	exitFindings = 5 // review, analyze: a finding at or above --fail-on exists
)

// When several outcomes apply, the status is the first of 5, 1 and 4
// (see outcome), and each of them is printed.
const exitCodeHelp = `Exit codes:
  0  success
  1  error
  2  bad flags or arguments, or a file that is not what its flag wants
  3  catalog map: the call maps to no IAM action
  4  finished, but some input was partial: a log file could not be read
     whole, or the logs held no CloudTrail records (the output holds the rest)
  5  review, analyze: a finding at or above --fail-on exists
When several apply, the status is the first of 5, 1 and 4, and each is
printed: partial input is always said on stderr, in the JSON and the report.`

// flagError is a usage mistake: bad flag values or arguments.
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

func flagErrorf(format string, args ...any) error {
	return &flagError{fmt.Errorf(format, args...)}
}

// exitError carries an exit code for an outcome that is not a plain failure,
// such as a run that finished with unreadable input. Its message, if any, has
// already been printed.
type codeError struct {
	code int
	msg  string
}

func (e *codeError) Error() string { return e.msg }

// exitCode maps an error returned by a command to the process exit status.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var fe *flagError
	if errors.As(err, &fe) || errors.Is(err, tailor.ErrKind) {
		return exitUsage
	}
	var ce *codeError
	if errors.As(err, &ce) {
		return ce.code
	}
	return exitError
}
