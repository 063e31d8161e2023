package rightsize

import (
	"time"

	"github.com/tailor-sec/tailor/policy"
)

// Reason says why an action is kept or removed.
type Reason string

// Why an action is kept.
const (
	// KeptUsed: successful calls in the window needed it.
	KeptUsed Reason = "used"
	// KeptPossiblyNeeded: a call in the window may have needed it; the
	// request parameters that decide were not logged.
	KeptPossiblyNeeded Reason = "possibly-needed"
	// KeptDependent: the catalog lists it as a dependent action of a used
	// action.
	KeptDependent Reason = "dependent"
	// KeptPermissionOnly: it guards no API call of its own, so CloudTrail
	// never names it.
	KeptPermissionOnly Reason = "permission-only"
	// KeptNeverLogged: CloudTrail does not record the calls that need it
	// (catalog.NeverLogged).
	KeptNeverLogged Reason = "never-logged"
	// KeptUnknown: no current operation data says whether CloudTrail can
	// show it (catalog.UnknownObservability).
	KeptUnknown Reason = "unknown-observability"
	// KeptLastAccessed: IAM's last-accessed report saw it (or, for an
	// action the logs cannot show, its service) used in the window.
	KeptLastAccessed Reason = "last-accessed"
	// KeptNoDataEvents: its calls are data events, and the logs hold no
	// data events of its service.
	KeptNoDataEvents Reason = "no-data-events"
	// KeptUnmappedCalls: the principal made calls to its service that no
	// known mapping turns into IAM actions.
	KeptUnmappedCalls Reason = "unmapped-calls"
	// KeptWindowIncomplete: days of the window have no logs at all, so
	// nothing is removed.
	KeptWindowIncomplete Reason = "window-incomplete"
)

// Why an action is removed.
const (
	// RemovedUnused: no successful call needed it in the window.
	RemovedUnused Reason = "unused"
	// RemovedOutsideWindow: it was used, but only before (or after) the
	// window.
	RemovedOutsideWindow Reason = "used-outside-window"
	// RemovedBoundary: granted, but the permissions boundary never
	// allows it.
	RemovedBoundary Reason = "outside-boundary"
	// RemovedDenied: granted, but a Deny statement without conditions
	// refuses it on every resource.
	RemovedDenied Reason = "always-denied"
	// RemovedConditional: possibly needed by a call, dropped as asked
	// (Options.DropConditional).
	RemovedConditional Reason = "conditional-dropped"
	// RemovedNotAccessed: the logs cannot show it, and IAM's last-accessed
	// report tracked it (or its service) over the whole window without
	// seeing it used.
	RemovedNotAccessed Reason = "not-accessed-per-iam"
)

// Action is one action of a suggestion's report, kept or removed, with its
// provenance.
type Action struct {
	Action string `json:"action"`
	Reason Reason `json:"reason"`
	// Calls is the number of successful calls that needed it in the
	// window (possibly needed, for KeptPossiblyNeeded); LastUsed the last
	// of them, or, for RemovedOutsideWindow, the last use outside the
	// window. LastUsed is the last call of a day and event that had
	// successful calls.
	Calls    int64     `json:"calls,omitempty"`
	LastUsed time.Time `json:"lastUsed,omitzero"`
	// Detail explains the reason: the calls that needed it ("s3:CopyObject"),
	// the event source without data events, the action it depends on.
	Detail string `json:"detail,omitempty"`
	// Resources are the resources of the action's type the calls
	// touched, for used actions (at most a few, for the report).
	Resources []string `json:"resources,omitempty"`
}

// Denied is an action that calls in the window needed and were refused:
// listed, never granted.
type Denied struct {
	Action   string    `json:"action"` // or the event, when unmapped
	Calls    int64     `json:"calls"`
	LastSeen time.Time `json:"lastSeen"`
	Events   []string  `json:"events"`
}

// Unmapped is an event that succeeded in the window and that no known
// mapping turns into IAM actions.
type Unmapped struct {
	Event    string    `json:"event"`
	Calls    int64     `json:"calls"`
	LastSeen time.Time `json:"lastSeen"`
}

// Verification is the result of the two checks every suggestion passes
// before it is returned.
type Verification struct {
	// NoNewAccess is proved: policy.Covers showed that today's policies
	// (with the boundary and the Deny statements) allow every request the
	// suggestion allows.
	NoNewAccess bool `json:"noNewAccess"`
	// ObservedRequests is the number of distinct observed requests
	// (action, resource, region) checked; AllowedToday those today's
	// policies allow or may allow, each still allowed by the suggestion
	// in every context sampled. NotAllowedToday were allowed by something
	// tailor does not see (a resource-based policy, a permission since
	// removed).
	ObservedRequests int `json:"observedRequests"`
	AllowedToday     int `json:"allowedToday"`
	NotAllowedToday  int `json:"notAllowedToday"`
	// ContextsSampled is the number of request contexts tried for
	// requests whose outcome depends on condition keys the logs do not
	// hold.
	ContextsSampled int `json:"contextsSampled"`
}

// Suggestion is a verified least-privilege suggestion for one principal,
// with its report.
type Suggestion struct {
	Principal string `json:"principal"` // ARN
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Window    Window `json:"window"`

	// Current are today's identity policies, as read; Boundary the
	// permissions boundary, which the suggestion keeps.
	Current  []*policy.Policy `json:"-"`
	Boundary *policy.Policy   `json:"-"`
	// Policies are the suggested identity policy documents, to replace
	// all of Current; several when one would pass MaxPolicySize, none
	// when nothing is kept.
	Policies []*policy.Policy `json:"-"`
	// Resources is the resource mode the suggestion was built with. It
	// is ResourcesKeep when narrowing resources could not be proved and
	// the suggestion fell back (see Notes).
	Resources ResourceMode `json:"resources"`

	// Kept are the used actions kept; Unobservable the actions kept
	// though unused, because the logs cannot show their use; Removed the
	// granted actions removed. All are sorted by action.
	Kept         []Action `json:"kept"`
	Unobservable []Action `json:"keptUnobservable"`
	Removed      []Action `json:"removed"`
	// Denied are the actions of calls that were refused.
	Denied []Denied `json:"triedButDenied"`
	// Unmapped are the successful calls no mapping knows.
	Unmapped []Unmapped `json:"unmapped,omitempty"`
	// UsedNotGranted are used actions that today's identity policies do
	// not grant (allowed by resource policies, or by a permission since
	// removed); the suggestion does not grant them either.
	UsedNotGranted []Action `json:"usedNotGranted,omitempty"`

	// Granted is the number of actions today's policies grant after
	// wildcard expansion, the boundary and unconditional denies; Used
	// the number of those used in the window; UnusedShare the share of
	// Granted not used.
	Granted     int     `json:"granted"`
	Used        int     `json:"used"`
	UnusedShare float64 `json:"unusedShare"`
	// Conditional is the number of possibly needed actions kept (or,
	// with DropConditional, dropped).
	Conditional int `json:"conditional"`
	// Sizes are the sizes of the suggested documents, in characters of
	// compact JSON; Split reports that there is more than one.
	Sizes []int `json:"sizes"`
	Split bool  `json:"split"`

	// KeptAsIs reports that days of the window have no logs, so every
	// statement is kept as it is (see Options.AllowGaps).
	KeptAsIs bool `json:"keptAsIs,omitempty"`
	// Detach lists, when the suggestion keeps nothing, how to take each
	// of today's identity policies away; Policies is then empty.
	Detach []Detachment `json:"detach,omitempty"`
	// Services counts the kept actions of each service, most first, when
	// the suggestion needs more managed policies than a principal may
	// attach; ServiceLevel is then the shorter, wider form (nil when it
	// could not be proved within today's grants).
	Services     []ServiceShare `json:"services,omitempty"`
	ServiceLevel *ServiceLevel  `json:"serviceLevel,omitempty"`

	Verification Verification `json:"verification"`
	// Notes are remarks for the reader: the fallback to kept resources,
	// more documents than a role may attach, statements with policy
	// variables.
	Notes []string `json:"notes,omitempty"`
}

// Detachment is one step of taking a principal's identity policies away:
// the policy (or group) and the AWS CLI command that does it, empty when
// the policy's source is unknown.
type Detachment struct {
	Policy  string `json:"policy"`
	Command string `json:"command,omitempty"`
}

// ServiceShare is how many of a suggestion's kept actions belong to one
// service, and how many of those the logs cannot show.
type ServiceShare struct {
	Service      string `json:"service"`
	Kept         int    `json:"kept"`
	Unobservable int    `json:"unobservable"`
}

// ServiceLevel is the service-level form of a suggestion: each action list
// widened to whole services ("ec2:*") wherever today's statement grants the
// whole service on the same resources, so that the suggestion fits the
// attachment quota. It is verified like the suggestion: it allows nothing
// today's policies do not, and everything observed. It allows, within
// those services, actions the logs show unused.
type ServiceLevel struct {
	Policies []*policy.Policy `json:"-"`
	Sizes    []int            `json:"sizes"`
	// Services are the services granted whole.
	Services []string `json:"services"`
}
