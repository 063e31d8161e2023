// Package review finds the third parties that can get into an AWS account,
// judges how risky each way in is, and tells what they did.
//
// A principal is third-party when a role's trust policy admits an account
// outside the owner's accounts (through a named principal, a whole account
// "arn:aws:iam::111122223333:root", or "*"), when an IAM user's access key
// is used from outside, or when the logs show an outside account assuming
// a role that today's trust policies no longer admit. [Review] reads the IAM
// snapshot and, when given, the usage index, the activity log and the
// credential report, and returns a [Report]: one entry per principal,
// ordered by its worst finding.
//
// "Used from outside" is judged from the activity log, the only input that
// holds source addresses: a call made with a user's long-term key from an
// address that is not private (RFC 1918, RFC 6598 shared space, loopback,
// link-local), not an AWS service ("AWS Internal", "lambda.amazonaws.com")
// and not in Options.OwnNetworks. Without OwnNetworks every public
// address counts as outside, so every user whose key is used over the
// internet is listed; the credential report alone (last used region and
// service) cannot tell where a key was used from.
//
// Resources are doors too: given the account's resource policies, shares
// and KMS grants (Input.Resources, read by account.LoadResources), the
// review lists each party a resource lets in (an outside account, anyone,
// an AWS service principal) and judges what it may do by evaluating the
// policy for a request of that party, with the policy package: an account
// outside the owner's, in an organization of no one, calling directly; or
// a service working for an account of no one. Conditions on who asks
// (aws:PrincipalAccount, aws:PrincipalOrgID, aws:SourceAccount,
// aws:SourceArn, ...) are decided for that request, so a Deny outside the
// organization closes what an Allow of "*" opened, and an aws:SourceArn
// naming the owner's trail keeps CloudTrail working for others out.
// Conditions the party controls (aws:SecureTransport, s3:x-amz-acl, its
// principals' tags) are taken to hold in an Allow and to be avoidable in a
// Deny; conditions on where a request comes from (aws:SourceIp,
// aws:SourceVpce) cannot be decided, and narrow a finding instead of
// closing it. Organization ids in conditions are taken to be the owner's
// (a note says so): the organization is not an input yet. Calls the logs
// show outside accounts making on a resource, and when each first did,
// are the evidence of those findings.
//
// Every [Finding] has a stable id (its rule and a hash of what it is
// about, "TRUST-NO-EXTERNAL-ID-5c2f0e1a"), a [Severity], a title, the
// evidence (the policy statement, the dates, the counts) and a concrete
// remedy: a corrected trust policy with an sts:ExternalId condition, a
// permission boundary denying the sensitive actions named, the key to
// rotate, or the `tailor rightsize` command that suggests a smaller policy.
// The rules are listed by [Rules].
//
// ExternalId values are secrets: nothing this package returns holds one.
// Evidence shows an ExternalId as its length and a short fingerprint
// ([Mask]), and remedies use placeholders.
//
// [BuildTimeline] answers what a principal, a calling account or a vendor did
// between two times: its sessions, the actions and resources of each, the
// first appearance of anything new against the earlier baseline, and a
// sweep of persistence moves, data reads, destructive calls and exposure.
//
// Known vendor accounts come from a list in the format of the public
// known_aws_accounts.yaml ([ReadVendors], [UpdateVendors]).
//
// The package computes; it renders nothing (the report package does).
package review
