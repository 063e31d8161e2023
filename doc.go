// Package tailor holds the domain types shared by tailor's packages: the
// slim CloudTrail [Event] that ingest decodes and usage aggregates.
//
// tailor answers two questions for the owner of an AWS account: what did each
// principal, above all each third party that assumes one of my roles,
// actually do; and what is the smallest policy that still lets it do that.
// The packages, in the order data flows through them:
//
//	ingest     CloudTrail sources, fetch, gunzip, decode → Event
//	usage      the usage index and the activity log (Parquet)
//	catalog    IAM actions, access levels, CloudTrail event → IAM action
//	policy     the IAM policy language: parse, match, evaluate
//	account    the IAM snapshot of an account
//	rightsize  suggested policies from granted vs used
//	policydiff canonical policy rendering and unified diffs
//	review     third-party detection and findings
//	report     text, JSON, SARIF and HTML output
package tailor
