package rightsize

import (
	"fmt"
	"time"
)

// ResourceMode says what a suggested statement does with the resources of
// the statement it comes from.
type ResourceMode string

// The resource modes.
const (
	// ResourcesKeep keeps each statement's Resource (or NotResource)
	// element as it is.
	ResourcesKeep ResourceMode = "keep"
	// ResourcesObserved narrows the resources of used actions that support
	// resource-level permissions to the ARNs the logs show them used on,
	// within what the statement allowed.
	ResourcesObserved ResourceMode = "observed"
	// ResourcesGeneralize is ResourcesObserved, except that more than
	// Options.GeneralizeThreshold ARNs under one parent (a bucket, a path)
	// collapse to their longest common prefix followed by "*".
	ResourcesGeneralize ResourceMode = "generalize"
)

// ParseResourceMode reads "keep", "observed" or "generalize".
func ParseResourceMode(s string) (ResourceMode, error) {
	switch m := ResourceMode(s); m {
	case ResourcesKeep, ResourcesObserved, ResourcesGeneralize:
		return m, nil
	}
	return "", fmt.Errorf("%w: resource mode %q (want keep, observed or generalize)", ErrOptions, s)
}

// Default limits.
const (
	// DefaultGeneralizeThreshold is the number of ARNs under one parent
	// past which ResourcesGeneralize collapses them into a pattern.
	DefaultGeneralizeThreshold = 10
	// DefaultMaxPolicySize is the size limit of a customer managed policy:
	// 6,144 characters, not counting whitespace.
	DefaultMaxPolicySize = 6144
	// DefaultMaxPolicies is IAM's default quota of managed policies
	// attached to one role or user (it can be raised to 20).
	DefaultMaxPolicies = 10
)

// Options configure a [Rightsizer]. The zero value uses the whole index as
// the window, keeps resources, keeps possibly needed actions and splits
// suggestions at the managed policy size limit.
type Options struct {
	// Since and Until bound the window of usage that counts: days D with
	// D+24h > Since and D < Until. Zero Since means the index's own start
	// (its filter's Since, else its first day with logs); zero Until its
	// end (its filter's Until, else the day after its last day with logs).
	Since, Until time.Time
	// Resources is the resource mode; "" means ResourcesKeep.
	Resources ResourceMode
	// DropConditional drops actions a call only possibly needed (the
	// request parameters that decide were not logged) instead of keeping
	// them, marked.
	DropConditional bool
	// GeneralizeThreshold is the number of ARNs under one parent past
	// which ResourcesGeneralize collapses them; 0 means
	// DefaultGeneralizeThreshold.
	GeneralizeThreshold int
	// MaxPolicySize is the size, in characters of compact JSON, past which
	// a suggestion is split into several documents; 0 means
	// DefaultMaxPolicySize.
	MaxPolicySize int
	// AllowGaps builds the suggestion from the days of the window that
	// have logs when some have none, instead of keeping every statement
	// as it is; the suggestion then says which days it could not see.
	AllowGaps bool
	// MaxPolicies is the number of managed policies a role or user may
	// attach; a suggestion that needs more also gets the service-level
	// form. 0 means DefaultMaxPolicies.
	MaxPolicies int
	// Compact writes each suggested action list as the fewest wildcards,
	// cut at the words of action names ("ec2:Describe*"), that match in
	// the catalog exactly the actions the list keeps; names no wildcard
	// shares with another kept action stay names. The proof holds for the
	// catalog of today, but a wildcard also admits the actions AWS adds
	// to it later.
	Compact bool
	// Workers is the number of principals [Rightsizer.SuggestAll] works on
	// at once; 0 means runtime.GOMAXPROCS(0).
	Workers int
}

func (o *Options) resources() ResourceMode {
	if o.Resources == "" {
		return ResourcesKeep
	}
	return o.Resources
}

func (o *Options) threshold() int {
	if o.GeneralizeThreshold <= 0 {
		return DefaultGeneralizeThreshold
	}
	return o.GeneralizeThreshold
}

func (o *Options) maxSize() int {
	if o.MaxPolicySize <= 0 {
		return DefaultMaxPolicySize
	}
	return o.MaxPolicySize
}

func (o *Options) maxPolicies() int {
	if o.MaxPolicies <= 0 {
		return DefaultMaxPolicies
	}
	return o.MaxPolicies
}

// trusted reports whether the logs of the window may decide what is
// unused: every day has logs, or gaps are allowed and some day has.
func (o *Options) trusted(w *Window) bool {
	return w.Complete() || o.AllowGaps && w.DaysWithLogs > 0
}
