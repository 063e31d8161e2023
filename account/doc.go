// Package account holds the IAM snapshot of an AWS account: its users,
// groups, roles and managed policies, the policies attached to each, their
// permission boundaries, the trust policies of roles, when each role was last
// used, and the IAM credential report.
//
// A snapshot comes from the output of
//
//	aws iam get-account-authorization-details > authz.json
//
// read with [LoadFile] or [Read], or from the live IAM API with
// [FetchAuthorizationDetails], which [SaveAuthorizationDetails] writes in the
// same JSON shape as the AWS CLI, so that the two are interchangeable:
//
//	snap, err := account.LoadFile("authz.json")
//	p, err := snap.Principal("vendor-integration")
//	set := snap.PolicySet(p)
//	for _, doc := range set.Identity {
//		fmt.Println(doc.Source, len(doc.Document))
//	}
//
// Policy documents are kept as normalized JSON text ([encoding/json.RawMessage],
// compact, URL-decoded where IAM returned them URL-encoded) for the policy
// package to parse; this package never evaluates them. Each document in a
// [PolicySet] carries its [Source]: whether it is inline, managed, a boundary
// or a trust policy, its name and ARN, and the group it reaches a user through.
//
// A managed policy that a principal has attached but that the input does not
// contain (the AWS CLI leaves AWS managed policies out when run with
// --filter) is reported as missing, in [Snapshot.Warnings], in
// [Snapshot.Missing] and in the [PolicySet], and is never treated as an empty
// policy.
//
// The credential report ([ReadCredentialReport]) is read from the CSV IAM
// produces or from the JSON that aws iam get-credential-report prints.
//
// The resource policies of the account (bucket, key, queue and topic
// policies, and shares of AMIs and snapshots written as the statements they
// amount to) are read with [LoadResources] from a resources file: a JSON
// list of [Resource] values, {"arn", "type", "account", "region",
// "policy"}, which a person can write by hand or convert from AWS Config.
// They belong with the snapshot because they are the account's other half
// of "who can do what here": IAM says what the account's principals may do,
// resource policies what principals of any account may do to its resources.
//
// IAM's last accessed reports of users and roles, a second witness beside
// CloudTrail, come from the live API with [FetchLastAccessed] or from files
// the AWS CLI wrote with [LoadLastAccessed], and travel in the snapshot file
// under the key "ServiceLastAccessedDetails". [Snapshot.LastAccessed]
// returns a principal's report, which answers whether IAM saw a service or
// action used since a time, with IAM's documented tracking periods:
//
//	a := snap.LastAccessed(roleARN).Action("s3:CreateBucket")
//	switch a.Since(windowStart) {
//	case account.AccessSeen: // used (or attempted) at a.Last
//	case account.AccessNotSeen: // tracked from a.From to a.Until, never used
//	case account.AccessUnknown: // IAM cannot say
//	}
package account
