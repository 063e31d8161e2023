// Package trailgen writes synthetic CloudTrail logs that look like the
// real thing, for tailor's demo data set, tests and benchmarks.
//
// Files are laid out and compressed as CloudTrail delivers them to S3:
//
//	[prefix/]AWSLogs/[o-orgid/]<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/
//	    <account>_CloudTrail_<region>_<yyyymmdd>T<hhmm>Z_<16 alnum>.json.gz
//
// each a gzip member holding {"Records":[...]}: one file per account,
// region and 5-minute delivery window that has events (a busy window is
// split into several files of at most 6 MiB), records roughly in time
// order and each older than its file's time stamp. Digest files
// (CloudTrail-Digest) can be written beside them, one per account, region
// and hour, listing the log files with the SHA-256 of their content and
// chained to the previous digest.
//
// Records carry the full field set of a modern trail (eventVersion 1.08
// to 1.11) and every userIdentity type: IAM users, assumed roles with
// their sessionIssuer, root, federated users, AWS services, other
// accounts, IAM Identity Center users (onBehalfOf, credentialId) and their
// AWSReservedSSO_ permission-set roles, web identity (GitHub Actions OIDC)
// and SAML callers, and records without a type. Management and data
// events (S3 objects, Lambda Invoke, DynamoDB items, SQS, SNS) come with
// per-service request parameters, resources[] and the errors services
// write (AccessDenied in bursts, throttling, NoSuchKey).
//
// Every account has the same cast, whose story the demo's README tells:
// vendors that assume a role from their own account (Datadog with an
// ExternalId every hour, CloudZero with a whole-account trust on a few
// days, Lacework never, Cloudability until its role is deleted), a GitHub
// Actions deploy role, a Lambda function, Identity Center administrators,
// two IAM users with long-term keys (one leaked), and a root sign-in. An
// archive adds bulk workloads (application roles, service-linked roles, a
// federation broker, Okta SAML users) up to the size asked for. Every
// temporary key a vendor uses was issued by an AssumeRole record in the
// logs, although the record may be delivered later, and in another
// region's files, than the calls made with its key.
//
// Everything derives from a seed: the same seed and options give the same
// bytes, whatever the number of workers.
package trailgen
