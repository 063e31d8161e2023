package review_test

import (
	"path/filepath"
	"testing"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/review"
)

// TestResourceCorpus reviews each resource policy of testdata/resources,
// shapes taken from the AWS documentation pages its README names, in an
// account 111122223333 whose only outside party of the test vendors list is
// 444455556666 ("Example Vendor"). want maps each rule found to its
// severity; an empty want is a negative case: the policy opens nothing to
// anyone outside.
func TestResourceCorpus(t *testing.T) {
	tests := []struct {
		file string
		want map[string]string
	}{
		// Anyone may read objects: no condition.
		{"s3-public-read.json", map[string]string{"RESOURCE-PUBLIC": "critical"}},
		// "*" limited to the organization: the owner's (negative).
		{"s3-org-only.json", nil},
		// "*" from one address range: narrowed by a key the review cannot
		// decide.
		{"s3-public-read-ip.json", map[string]string{"RESOURCE-PUBLIC": "medium"}},
		// "*" may read, but a Deny refuses every request not through one
		// VPC endpoint: narrowed by VPC keys only.
		{"s3-public-read-vpce.json", map[string]string{"RESOURCE-PUBLIC": "low"}},
		// Another account may upload; the s3:x-amz-acl condition is the
		// uploader's to meet.
		{"s3-cross-account-upload.json", map[string]string{"RESOURCE-OUTSIDE-ACCOUNT": "medium"}},
		// CloudTrail tied to one trail by aws:SourceArn (negative).
		{"s3-cloudtrail-source-arn.json", nil},
		// The older CloudTrail bucket policy: no source condition, and
		// s3:PutObject is a write.
		{"s3-cloudtrail-no-source.json", map[string]string{"RESOURCE-SERVICE-NO-SOURCE": "high"}},
		// Server access logging tied by aws:SourceArn and
		// aws:SourceAccount (negative).
		{"s3-access-logging.json", nil},
		// ELB access logs, the legacy way: an AWS account of Elastic Load
		// Balancing may write (named through the list only in the shared
		// list, not the test one).
		{"s3-elb-access-logs-legacy.json", map[string]string{"RESOURCE-OUTSIDE-ACCOUNT": "medium"}},
		// A role of the same account (negative).
		{"s3-same-account-role.json", nil},
		// Public read closed by a Deny outside the organization (except
		// AWS services), the data perimeter shape: principals are shut
		// out; an AWS service acting for any account may still read.
		{"s3-deny-outside-org.json", map[string]string{"RESOURCE-SERVICE-NO-SOURCE": "medium"}},
		// "*" narrowed by aws:PrincipalAccount to another account: a door
		// to that account, not to anyone.
		{"s3-principal-account-condition.json", map[string]string{"RESOURCE-OUTSIDE-ACCOUNT": "medium"}},
		// "*" narrowed by aws:PrincipalArn to one role of another
		// account: the same.
		{"s3-principal-arn-outside-role.json", map[string]string{"RESOURCE-OUTSIDE-ACCOUNT": "medium"}},
		// "*" narrowed to a role name in any account: anyone can create
		// such a role.
		{"s3-any-account-role-name.json", map[string]string{"RESOURCE-PUBLIC": "critical"}},
		// The default key policy: the account itself (negative).
		{"kms-default-key-policy.json", nil},
		// Another account may use the key and create grants (permissions
		// management; kms:GrantIsForAWSResource is the caller's to meet).
		{"kms-external-account.json", map[string]string{"RESOURCE-OUTSIDE-ACCOUNT": "high"}},
		// CloudTrail may generate data keys for one trail (negative), but
		// may describe the key for any account's trail: a read.
		{"kms-cloudtrail.json", map[string]string{"RESOURCE-SERVICE-NO-SOURCE": "medium"}},
		// "*" may decrypt, but a Deny outside the organization closes it
		// (negative).
		{"kms-any-principal-org-deny.json", nil},
		// A grant to a role of another account.
		{"kms-grant-outside.json", map[string]string{"KMS-GRANT-OUTSIDE": "medium"}},
		// SNS may send for one topic of the account (negative).
		{"sqs-sns-source-arn.json", nil},
		// Anyone may send.
		{"sqs-public-send.json", map[string]string{"RESOURCE-PUBLIC": "critical"}},
		// A role and a user of another account may send and receive.
		{"sqs-cross-account.json", map[string]string{"RESOURCE-OUTSIDE-ACCOUNT": "medium"}},
		// S3 may publish for one bucket of the account (negative).
		{"sns-s3-events.json", nil},
		// S3 may publish for any bucket of any account.
		{"sns-s3-events-no-source.json", map[string]string{"RESOURCE-SERVICE-NO-SOURCE": "high"}},
		// AddPermission's statement for another account.
		{"sns-add-permission.json", map[string]string{"RESOURCE-OUTSIDE-ACCOUNT": "medium"}},
		// The console's default topic policy: "*" limited by
		// AWS:SourceOwner to the account (negative).
		{"sns-default-source-owner.json", nil},
		// An EBS snapshot shared with everyone.
		{"ebs-snapshot-public.json", map[string]string{"SNAPSHOT-PUBLIC": "critical"}},
		// An AMI shared with another account: a copy of the disk.
		{"ami-shared-account.json", map[string]string{"RESOURCE-OUTSIDE-ACCOUNT": "high"}},
		// An AMI shared with the organization (negative).
		{"ami-shared-org.json", nil},
	}
	snap := loadSnapshot(t, filepath.Join("testdata", "trust", "own-account.json"))
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res, err := account.LoadResources(filepath.Join("testdata", "resources", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			rep := runReview(t, review.Input{Snapshot: snap, Resources: res, Vendors: testVendors(t)}, review.Options{})
			got := map[string]string{}
			for _, p := range rep.Principals {
				if p.Kind != review.KindResource {
					if len(p.Findings) > 0 {
						t.Errorf("unexpected principal %s with findings", p.ARN)
					}
					continue
				}
				for _, f := range p.Findings {
					got[f.Rule] = f.Severity.String()
					t.Logf("%s %s: %s", f.Rule, f.Severity, f.Evidence.Summary)
				}
			}
			for rule, sev := range tt.want {
				if got[rule] != sev {
					t.Errorf("%s = %q, want %q", rule, got[rule], sev)
				}
			}
			for rule, sev := range got {
				if _, ok := tt.want[rule]; !ok {
					t.Errorf("unexpected %s (%s)", rule, sev)
				}
			}
		})
	}
}
