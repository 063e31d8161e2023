package trailgen

import (
	"bytes"
	"encoding/json"
)

// The demo's resource policies and shares, in the shape of tailor's
// resources.json (see account.Resource): the trail bucket's policy, which
// ties CloudTrail to the account's trail; the cost report bucket's, which
// lets the billing service write reports for the account and, left from
// CloudZero's first onboarding, lets CloudZero's account read them
// directly; and an EBS snapshot of the backup database volume shared with
// an account no list names, for a migration test.

// demoSnapshotAccount is the account the demo's snapshot is shared with.
const demoSnapshotAccount = "293847561029"

// demoSnapshotID is the shared snapshot.
const demoSnapshotID = "snap-0d4c7e19a2b35f680"

type resourceEntry struct {
	ARN     string    `json:"arn"`
	Type    string    `json:"type"`
	Account string    `json:"account"`
	Region  string    `json:"region,omitempty"`
	Policy  policyDoc `json:"policy"`
}

func demoResources(w *world, a *account) ([]byte, error) {
	trailARN := "arn:aws:cloudtrail:" + w.regions[0] + ":" + a.id + ":trail/" + w.trail
	trail := "arn:aws:s3:::" + w.bucket
	cur := "arn:aws:s3:::" + a.bucket("cur").name
	snap := "arn:aws:ec2:" + w.regions[0] + ":" + a.id + ":snapshot/" + demoSnapshotID
	service := func(sid, svc string, actions any, resource string, cond map[string]map[string]any) stmt {
		return stmt{Sid: sid, Effect: "Allow", Principal: map[string]string{"Service": svc}, Action: actions, Resource: resource, Condition: cond}
	}
	entries := []resourceEntry{
		{ARN: trail, Type: "AWS::S3::Bucket", Account: a.id, Region: w.regions[0], Policy: doc(
			service("AWSCloudTrailAclCheck20150319", "cloudtrail.amazonaws.com", "s3:GetBucketAcl", trail,
				map[string]map[string]any{"StringEquals": {"aws:SourceArn": trailARN}}),
			service("AWSCloudTrailWrite20150319", "cloudtrail.amazonaws.com", "s3:PutObject", trail+"/AWSLogs/"+a.id+"/*",
				map[string]map[string]any{"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailARN}}),
		)},
		{ARN: cur, Type: "AWS::S3::Bucket", Account: a.id, Region: w.regions[0], Policy: doc(
			service("BillingReportsCheck", "billingreports.amazonaws.com", []string{"s3:GetBucketAcl", "s3:GetBucketPolicy"}, cur,
				map[string]map[string]any{"StringEquals": {"aws:SourceAccount": a.id}}),
			service("BillingReportsWrite", "billingreports.amazonaws.com", "s3:PutObject", cur+"/*",
				map[string]map[string]any{"StringEquals": {"aws:SourceAccount": a.id}}),
			stmt{Sid: "CloudZeroRead", Effect: "Allow", Principal: map[string]string{"AWS": "arn:aws:iam::" + cloudzeroAccount + ":root"},
				Action: []string{"s3:GetObject", "s3:ListBucket"}, Resource: []string{cur, cur + "/*"}},
		)},
		{ARN: snap, Type: "AWS::EC2::Snapshot", Account: a.id, Region: w.regions[0], Policy: doc(
			stmt{Effect: "Allow", Principal: map[string]string{"AWS": demoSnapshotAccount},
				Action: []string{"ec2:CreateVolume", "ec2:CopySnapshot"}, Resource: snap},
		)},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(entries); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
