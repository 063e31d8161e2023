package rightsize

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tailor-sec/tailor/policy"
)

// Sentinel errors of the package.
var (
	// ErrOptions marks invalid options.
	ErrOptions = errors.New("rightsize: invalid options")
	// ErrIncomplete marks a principal whose policies are not all known (a
	// managed policy or a group missing from the snapshot): what it is
	// granted today is unknown, so no suggestion can be proved.
	ErrIncomplete = errors.New("rightsize: policy set incomplete")
	// ErrVerify marks a suggestion that failed verification. It is never
	// output; the error carries the counterexample.
	ErrVerify = errors.New("rightsize: verification failed")
	// ErrTooLarge marks a statement that cannot fit the policy size limit
	// even alone, with one action and one resource.
	ErrTooLarge = errors.New("rightsize: statement larger than the policy size limit")
)

// Check names one of the two verified guarantees.
type Check string

// The checks run on every suggestion.
const (
	// CheckNoNewAccess: the suggestion allows nothing today's policies
	// (with the boundary) do not; proved with policy.Covers.
	CheckNoNewAccess Check = "no-new-access"
	// CheckObserved: every observed successful call that today's policies
	// allow is still allowed; checked with policy.Evaluate.
	CheckObserved Check = "observed-calls"
)

// VerifyError is a failed check. It wraps ErrVerify.
type VerifyError struct {
	Principal string // ARN
	Check     Check
	// Counterexample describes one request that breaks the guarantee, or
	// where the proof failed.
	Counterexample string
	// Gaps are the places policy.Covers could not prove coverage
	// (CheckNoNewAccess).
	Gaps []policy.Gap
}

// Error names the principal, the check and the counterexample.
func (e *VerifyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rightsize: %s: verification failed (%s): %s", e.Principal, e.Check, e.Counterexample)
	if n := len(e.Gaps); n > 1 {
		fmt.Fprintf(&b, " (and %d more gaps)", n-1)
	}
	return b.String()
}

// Unwrap returns ErrVerify.
func (e *VerifyError) Unwrap() error { return ErrVerify }
