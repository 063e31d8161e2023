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
package account
