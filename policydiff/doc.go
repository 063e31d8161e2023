// Package policydiff renders IAM policy documents in a canonical text form
// and compares two texts as a unified diff, in the form `diff -u` writes
// and `patch` applies.
//
// [Render] writes a policy so that two documents that mean the same read the
// same: keys in a fixed order (Version, Id, Statement; in a statement Sid,
// Effect, Principal, NotPrincipal, Action, NotAction, Resource,
// NotResource, Condition), every list one value per line and sorted,
// condition operators and keys sorted, statements sorted (Allow before
// Deny, then by Sid, then by content). A diff between two renderings then
// shows what changed and nothing else:
//
//	     "Action": [
//	       "ec2:DescribeInstances",
//	-      "kms:Decrypt",
//	       "s3:ListAllMyBuckets"
//	     ],
//
// [Unified] compares two texts line by line. It finds a shortest edit
// script with Myers' O(ND) algorithm in its linear-space form, and writes
// hunks with three lines of context (by default) under "@@ -l,n +l,n @@"
// headers, merging hunks whose context would touch, as GNU diff does.
//
// The package knows nothing about where a policy came from: callers label
// the two sides with [Options].
package policydiff
