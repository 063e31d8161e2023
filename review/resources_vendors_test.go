package review_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/internal/shareddata"
	"github.com/tailor-sec/tailor/review"
)

// TestVendorTemplateResources reviews the resource policies the vendor
// templates of the shared corpus create (a bucket, a key, a queue, a
// topic), deployed in account 111122223333 with the template's defaults,
// with the public known-accounts list. The expected findings were written
// by reading the templates; each case says why.
func TestVendorTemplateResources(t *testing.T) {
	dir := shareddata.Dir(t, "vendors")
	vendors, err := review.LoadVendors(filepath.Join(dir, "known_aws_accounts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	const own = "111122223333"
	tests := []struct {
		name, file, where string
		arn, typ          string
		vars              []string // placeholder, value, ...
		want              map[string]string
		vendor            string // the vendor the finding names
	}{
		// Vantage's cost report bucket: billingreports and
		// bcm-data-exports may write, each tied to the account by
		// aws:SourceAccount and aws:SourceArn; the customer's own
		// cross-account role may read. Nothing opens to an outsider.
		{name: "vantage-cur-bucket", file: "vantage/main.tf", where: "data.vantage_cur_access",
			arn: "arn:aws:s3:::acme-cost-and-usage", typ: "AWS::S3::Bucket",
			vars: []string{"${local.account_id}", own, "${aws_s3_bucket.vantage_cost_and_usage_reports[0].arn}", "arn:aws:s3:::acme-cost-and-usage",
				"${aws_iam_role.vantage_cross_account_connection_with_bucket[0].arn}", "arn:aws:iam::" + own + ":role/vantage-cross-account"}},
		// Sysdig agentless scanning's key: Sysdig's account may encrypt,
		// decrypt and create grants on it (kms:CreateGrant is permissions
		// management: it can hand the key to anyone).
		{name: "sysdig-scanning-key", file: "sysdig/agentless-scanning-main.tf", where: "AgentlessScanningKmsPrimaryKey/Properties/KeyPolicy",
			arn: "arn:aws:kms:us-east-1:" + own + ":key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", typ: "AWS::KMS::Key",
			vars: []string{"${data.sysdig_secure_agentless_scanning_assets.assets.aws.account_id}", "761931097553",
				"${ScanningRole.Arn}", "arn:aws:iam::" + own + ":role/sysdig-agentless-scanning", "${local.account_id}", own,
				"${local.caller_arn}", "arn:aws:iam::" + own + ":role/admin", "${local.execution_role_name}", "AWSCloudFormationStackSetExecutionRole",
				"${local.scanning_resource_name}", "sysdig-secure-scanning"},
			want: map[string]string{"RESOURCE-OUTSIDE-ACCOUNT": "high"}, vendor: "Sysdig"},
		// CloudZero's CloudTrail queue: SNS may send for the account's
		// trail topic only (aws:SourceArn), but CloudZero's account holds
		// sqs:* on the queue, sqs:AddPermission among it.
		{name: "cloudzero-queue", file: "cloudzero/cloudtrail_owner.yaml", where: "SqsPolicy/Properties/PolicyDocument",
			arn: "arn:aws:sqs:us-east-1:" + own + ":cloudzero-cloudtrail", typ: "AWS::SQS::Queue",
			vars: []string{"${ReactorAccountId}", "061190967865", "${CloudTrailSNSTopicArn}", "arn:aws:sns:us-east-1:" + own + ":cloudtrail-events",
				"${SqsQueue.Arn}", "arn:aws:sqs:us-east-1:" + own + ":cloudzero-cloudtrail"},
			want: map[string]string{"RESOURCE-OUTSIDE-ACCOUNT": "high"}, vendor: "CloudZero"},
		// Lacework's GovCloud trail bucket: CloudTrail may read the ACL
		// and write logs with no source condition, so any account's trail
		// can write into it.
		{name: "lacework-trail-bucket", file: "lacework/lacework-aws-gov-cloud-ct-cfg.json", where: "LaceworkCWSBucketPolicy/",
			arn: "arn:aws-us-gov:s3:::acme-lacework-cws", typ: "AWS::S3::Bucket",
			vars: []string{"${LaceworkCWSBucket}", "acme-lacework-cws", "${NewTrailLogFilePrefix}", "lacework", "${AWS::AccountId}", own},
			want: map[string]string{"RESOURCE-SERVICE-NO-SOURCE": "high"}},
		// Its topic: CloudTrail may publish, for any account's trail.
		{name: "lacework-trail-topic", file: "lacework/lacework-aws-gov-cloud-ct-cfg.json", where: "LaceworkCWSTopicPolicy/",
			arn: "arn:aws-us-gov:sns:us-gov-west-1:" + own + ":lacework-cws", typ: "AWS::SNS::Topic",
			want: map[string]string{"RESOURCE-SERVICE-NO-SOURCE": "high"}},
		// Its queue: "*" may send, only for the account's topic
		// (aws:SourceArn): closed to principals and to SNS working for
		// others.
		{name: "lacework-queue", file: "lacework/lacework-aws-gov-cloud-ct-cfg.json", where: "LaceworkCWSQueuePolicy/",
			arn: "arn:aws-us-gov:sqs:us-gov-west-1:" + own + ":lacework-cws", typ: "AWS::SQS::Queue",
			vars: []string{"${LaceworkCWSTopic}", "arn:aws-us-gov:sns:us-gov-west-1:" + own + ":lacework-cws"}},
	}
	snap := loadSnapshot(t, filepath.Join("testdata", "trust", "own-account.json"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc []byte
			for _, d := range extractTemplate(t, filepath.Join(dir, tt.file)) {
				if strings.Contains(d.where, tt.where) {
					if doc, err = json.Marshal(d.doc); err != nil {
						t.Fatal(err)
					}
					break
				}
			}
			if doc == nil {
				t.Fatalf("no document at %q", tt.where)
			}
			text := strings.NewReplacer(tt.vars...).Replace(string(doc))
			if strings.Contains(text, "${") {
				t.Fatalf("placeholders left: %s", text)
			}
			entry, _ := json.Marshal([]map[string]any{{"arn": tt.arn, "type": tt.typ, "account": own, "policy": json.RawMessage(text)}})
			res, err := account.ReadResources(strings.NewReader(string(entry)), tt.name)
			if err != nil {
				t.Fatal(err)
			}
			rep := runReview(t, review.Input{Snapshot: snap, Resources: res, Vendors: vendors}, review.Options{})
			got := map[string]string{}
			for _, p := range rep.Principals {
				for _, f := range p.Findings {
					got[f.Rule] = f.Severity.String()
					t.Logf("%s %s: %s", f.Rule, f.Severity, f.Evidence.Summary)
					if tt.vendor != "" && f.Vendor != tt.vendor {
						t.Errorf("%s names vendor %q, want %q", f.Rule, f.Vendor, tt.vendor)
					}
				}
			}
			sameFindings(t, map[string]map[string]string{"r": got}, map[string]map[string]string{"r": tt.want})
		})
	}
}
