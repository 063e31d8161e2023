// Package policy implements the AWS IAM policy language: parsing and
// canonical rendering of policy documents, evaluation of a request against
// the policies that apply to a principal, and the set reasoning that proves a
// narrower policy grants no new access.
//
// A policy document looks like this:
//
//	{
//	  "Version": "2012-10-17",
//	  "Statement": [{
//	    "Sid": "ReadOwnPrefix",
//	    "Effect": "Allow",
//	    "Action": ["s3:GetObject", "s3:List*"],
//	    "Resource": "arn:aws:s3:::bucket/home/${aws:username}/*",
//	    "Condition": {"Bool": {"aws:SecureTransport": "true"}}
//	  }]
//	}
//
// [Parse] reads such a document. Every field that IAM accepts as a string or
// a list of strings is accepted both ways; Statement may be an object or a
// list. Malformed JSON is reported as a [*ParseError] with the line and
// column; semantic problems (an unknown Effect, both Action and NotAction, a
// missing Effect) name the statement by index and Sid. Unknown actions are
// not errors: [Policy.Validate] reports them as warnings against a
// [Catalog]. [ParseEncoded] also accepts the URL-encoded documents that
// get-account-authorization-details returns. [ParseAs] also rejects what IAM
// rejects in a policy of a given [Kind]: an identity-based policy without
// Resource, with a Principal, with a Resource that is no ARN or with a Sid
// given twice; a trust policy with a Resource.
//
// [Policy.MarshalJSON] writes a canonical form with a stable key order:
// parse, marshal and parse again gives an equal policy.
//
// [Evaluate] decides a [Request] against a [PolicySet] (identity policies, an
// optional permission boundary and optional service control policies) in
// AWS's order: an explicit deny anywhere wins; otherwise an allow must come
// from an identity policy and be within the boundary and allowed by every
// SCP level. Conditions are three-valued: a condition on a key the request
// context lacks is unknown (unless the operator is Null or ...IfExists, or
// the request says its context is complete), and the [Decision] names the
// missing keys. A policy variable without a value makes only the Resource
// entry or condition value holding it match nothing; variables stand only
// in the resource part of a Resource ARN. sts:GetCallerIdentity, which needs
// no permission, is always allowed.
//
// [StatementActions], [ResourceContains] and [Covers] are the set reasoning
// the rightsizer builds on. Covers is sound but not complete: when it says a
// policy set is covered by another, every request the first allows, the
// second allows too; when it cannot prove that, it says so, with the gaps.
//
// The package reads no files. Values are safe for concurrent use once built:
// Evaluate and Covers never modify their arguments.
package policy
