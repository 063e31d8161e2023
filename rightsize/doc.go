// Package rightsize suggests, for a principal, the smallest identity
// policy that still allows what the usage index shows it did, and proves
// the suggestion before returning it.
//
// # How a suggestion is built
//
// The used set is the principal's successful calls in the window, mapped
// to IAM actions through the catalog. Calls that were refused are listed
// ("tried but denied") and never granted; calls no mapping knows are
// listed too, and the granted actions of their service are kept.
//
// The suggestion is derived statement by statement from today's policies.
// Each Allow statement keeps the actions it grants that are kept (a
// NotAction statement becomes an Action list), its conditions, and its
// resources; with [ResourcesObserved] a used action that supports
// resource-level permissions is narrowed to the resources it was used on
// within the statement, and with [ResourcesGeneralize] many of those under
// one parent collapse into a prefix pattern. A used action whose calls all
// touched resources a statement does not cover leaves that statement.
// Deny statements are kept as they are, and so is the permissions
// boundary. Statements that then share resources, conditions and policy
// Version merge, and the result is split into several documents when one
// would pass the managed policy size limit (6,144 characters without
// whitespace).
//
// # Silence is not disuse
//
// What CloudTrail cannot show is kept and marked with the reason, never
// silently removed: permission-only actions (where the catalog knows the
// service's operations), dependent actions of used actions, actions a call
// possibly needed when the request parameters that decide were not logged
// (unless Options.DropConditional), actions whose calls are data events of
// a service the logs hold no data events of, and, when a day of the window
// has no logs at all, everything: the statements are then kept as they are.
//
// # Verification
//
// Every suggestion passes two checks before it is returned; one that
// fails is an error ([*VerifyError]) with the counterexample, never
// output:
//
//  1. No new access: policy.Covers proves that today's policies, with the
//     boundary and the Deny statements, allow every request the
//     suggestion allows.
//  2. Nothing observed breaks: every observed request (action, resource,
//     region) that today's policies allow, the suggestion allows, by
//     policy.Evaluate; when the outcome depends on condition keys the
//     logs do not hold, in every context sampled from the policies'
//     condition values.
//
// A [Rightsizer] reads a usage index once and serves many principals, at
// once if asked ([Rightsizer.SuggestAll]): it compiles each policy
// document once and expands each statement's actions against the catalog
// once. The package renders nothing: see packages report and policydiff.
package rightsize
