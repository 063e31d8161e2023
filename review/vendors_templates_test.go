package review_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/internal/shareddata"
	"github.com/tailor-sec/tailor/review"
	"github.com/tailor-sec/tailor/usage"
)

// vendorRole is how a test case turns a template into a role.
type vendorRole struct {
	name  string   // the case
	files []string // template files, relative to the vendors folder
	// trust names the extracted document that is the role's trust policy
	// (a substring of where it was found); perms those that are its
	// permission policies.
	trust string
	perms []string
	// managed are the AWS managed policies the template attaches.
	managed []string
	// vars replaces template placeholders ("${ExternalId}") with the
	// values a deployment would give them.
	vars map[string]string
	// dropExternalID removes the trust's sts:ExternalId condition, for a
	// template whose condition only exists when an optional variable is
	// set (its default is null).
	dropExternalID bool
	own            []string
	want           map[string]string // rule → severity
}

// A long random ExternalId, as vendors issue them.
const vendorExternalID = "c7f1e0a9-5b2d-4e8f-9a61-3d4c2b1e0f97"

func vendorCases() []vendorRole {
	ext := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	return []vendorRole{
		// Datadog: trust to 464622532012:root (DdAWSAccountId's default,
		// "DO NOT CHANGE") with the ExternalId parameter; the Full
		// permission set inline, four managed policies attached to the
		// role, and SecurityAudit (the CSPM option's first branch). The
		// grants are reads, plus six writes for log forwarding
		// (events:CreateEventBus, logs:Put/DeleteSubscriptionFilter,
		// s3:PutBucketNotification, sns:Publish,
		// support:RefreshTrustedAdvisorCheck); no boundary.
		{name: "datadog", files: []string{"datadog/datadog_integration_role.yaml"},
			trust: "AssumeRolePolicyDocument", perms: []string{"Policies[0]", "ManagedPolicy1", "ManagedPolicy2", "ManagedPolicy3", "ManagedPolicy4"},
			managed: []string{"SecurityAudit"},
			vars:    ext("${DdAWSAccountId}", "464622532012", "${ExternalId}", vendorExternalID),
			want:    map[string]string{"TRUST-WHOLE-ACCOUNT": "low", "NO-BOUNDARY-WRITE": "low"}},
		// Datadog's quickstart role: the same trust and SecurityAudit; the
		// rest of the permissions come from another stack. SecurityAudit
		// reads only (its quicksight:Describe*Permissions and
		// iot:ListSubscriptions, which AWS classes as writes, read).
		{name: "datadog-quickstart", files: []string{"datadog/quickstart-datadog_integration_role.yaml"},
			trust: "AssumeRolePolicyDocument", managed: []string{"SecurityAudit"},
			vars: ext("${AWS::Partition}", "aws", "${DdAWSAccountId}", "464622532012", "${ExternalId}", vendorExternalID),
			want: map[string]string{"TRUST-WHOLE-ACCOUNT": "low"}},
		// CloudZero resource owner: trust to ReactorAccountId (061190967865
		// in CloudZero's other templates) with the ExternalId parameter;
		// the inline policy (billing, Cost Explorer, inventory reads) and
		// four AWS read-only policies.
		{name: "cloudzero-resource-owner", files: []string{"cloudzero/resource_owner.yaml"},
			trust: "AssumeRolePolicyDocument", perms: []string{"RolePolicy"},
			managed: []string{"CloudWatchReadOnlyAccess", "ComputeOptimizerReadOnlyAccess", "ViewOnlyAccess", "AWSBillingReadOnlyAccess"},
			vars:    ext("${ReactorAccountId}", "061190967865", "${ExternalId}", vendorExternalID),
			want:    map[string]string{"TRUST-WHOLE-ACCOUNT": "low"}},
		// CloudZero audit account: the same trust; s3:Get* and s3:List* on
		// the audit CloudTrail bucket only.
		{name: "cloudzero-audit", files: []string{"cloudzero/audit.yaml"},
			trust: "AssumeRolePolicyDocument", perms: []string{"RolePolicy"},
			vars: ext("${ReactorAccountId}", "061190967865", "${ExternalId}", vendorExternalID, "${AuditCloudTrailBucketName}", "acme-audit-cloudtrail"),
			want: map[string]string{"TRUST-WHOLE-ACCOUNT": "low"}},
		// CloudZero's management-account policy with the same trust.
		{name: "cloudzero-master-payer", files: []string{"cloudzero/resource_owner.yaml", "cloudzero/master_payer.json"},
			trust: "AssumeRolePolicyDocument", perms: []string{"master_payer.json:"},
			vars: ext("${ReactorAccountId}", "061190967865", "${ExternalId}", vendorExternalID),
			want: map[string]string{"TRUST-WHOLE-ACCOUNT": "low"}},
		// Cloudability: trust to the IAM user cloudability of 165736516723
		// (trusted_account_id's default) with the external_id variable;
		// the monitor policy (reads) and the automation policy, which
		// stops instances and deletes volumes and snapshots on "*".
		{name: "cloudability", files: []string{"cloudability/policy.tf"},
			trust: "data.cloudability_assume_policy", perms: []string{"data.cloudability_automation_policy", "data.cloudability_monitor_resources_policy"},
			vars: ext("${var.trusted_account_id}", "165736516723", "${var.external_id}", vendorExternalID),
			want: map[string]string{"SENSITIVE-ON-ALL-RESOURCES": "high", "NO-BOUNDARY-WRITE": "low"}},
		// CloudHealth (Mozilla's template): trust to 454464851268:root
		// with a fixed ExternalId from the Mappings (a UUID, published in a
		// public repository, which no rule can see); a read policy.
		{name: "cloudhealth", files: []string{"cloudhealth/cloudhealth_iam_role.json"},
			trust: "AssumeRolePolicyDocument", perms: []string{"CloudHealthPolicy"},
			want: map[string]string{"TRUST-WHOLE-ACCOUNT": "low"}},
		// Check Point CloudGuard read-only: trust to the CloudGuard
		// account (634729597623, the list's) with the trust secret;
		// SecurityAudit, ReadOnlyAccess (UseAwsReadOnlyPolicy defaults to
		// Enable) and the read-only policy, whose Deny covers glacier,
		// DynamoDB and QLDB data but not s3:GetObject: ReadOnlyAccess
		// grants s3:GetObject, ssm:GetParameter* and ec2:GetPasswordData
		// on "*".
		{name: "checkpoint-readonly", files: []string{"checkpoint-cloudguard/permissions_readonly_cft.yml", "checkpoint-cloudguard/readonly_policy.yml"},
			trust: "AssumeRolePolicyDocument", perms: []string{"readonly_policy.yml:"},
			managed: []string{"SecurityAudit", "ReadOnlyAccess"},
			vars:    ext("${AWS::Partition}", "aws", "${CloudGuardAwsAccountId}", "634729597623", "${RoleExternalTrustSecret}", vendorExternalID),
			want:    map[string]string{"TRUST-WHOLE-ACCOUNT": "low", "SENSITIVE-ON-ALL-RESOURCES": "high"}},
		// Palantir's Dome9 module: trust to 634729597623:root with the
		// dome9_external_id variable; the read-only policy, SecurityAudit
		// and AmazonInspectorReadOnlyAccess.
		{name: "dome9-palantir", files: []string{"checkpoint-cloudguard/palantir-terraform-aws-dome9.tf"},
			trust: "data.dome9-assume-role", perms: []string{"data.dome9-read-only"},
			managed: []string{"SecurityAudit", "AmazonInspectorReadOnlyAccess"},
			vars:    ext("${var.dome9_external_id}", vendorExternalID),
			want:    map[string]string{"TRUST-WHOLE-ACCOUNT": "low"}},
		// Drata: trust to arn:aws:iam::269135526815:root (the default of
		// drata_aws_account_arn); the ExternalId condition only exists
		// when role_sts_externalid is set, and its default is null.
		// SecurityAudit and two backup:List* actions.
		{name: "drata", files: []string{"drata/main.tf"},
			trust: "data.drata_autopilot_assume_role", perms: []string{"drata_additional_permissions"},
			managed:        []string{"SecurityAudit"},
			vars:           ext("${var.drata_aws_account_arn}", "arn:aws:iam::269135526815:root"),
			dropExternalID: true,
			want:           map[string]string{"TRUST-NO-EXTERNAL-ID": "high", "TRUST-WHOLE-ACCOUNT": "medium"}},
		// Ermetic: trust to 081802104111:root (ErmeticAccountId's default)
		// with the ExternalId parameter; reads, s3:GetObject on
		// elasticbeanstalk-* buckets only, SecurityAudit; two writes,
		// ecr:StartImageScan and sts:DecodeAuthorizationMessage.
		{name: "ermetic", files: []string{"ermetic/ermetic-controltower-managed-account.yaml"},
			trust: "AssumeRolePolicyDocument", perms: []string{"Policies[0]"},
			managed: []string{"SecurityAudit"},
			vars:    ext("${AWS::Partition}", "aws", "${ErmeticAccountId}", "081802104111", "${ErmeticExternalId}", vendorExternalID),
			want:    map[string]string{"TRUST-WHOLE-ACCOUNT": "low", "NO-BOUNDARY-WRITE": "low"}},
		// Mozilla's own security account 371522382791, trusted as a whole
		// account without an ExternalId: outside unless the reviewer says
		// it is theirs.
		{name: "mozilla-internal", files: []string{"internal-examples/mozilla-eis-security-audit-trusting-role.yml"},
			trust: "AssumeRolePolicyDocument", perms: []string{"Policies[0]", "Policies[1]", "Policies[2]"},
			managed: []string{"SecurityAudit"},
			want:    map[string]string{"TRUST-NO-EXTERNAL-ID": "high", "TRUST-WHOLE-ACCOUNT": "medium"}},
		{name: "mozilla-internal-own", files: []string{"internal-examples/mozilla-eis-security-audit-trusting-role.yml"},
			trust: "AssumeRolePolicyDocument", perms: []string{"Policies[0]", "Policies[1]", "Policies[2]"},
			managed: []string{"SecurityAudit"}, own: []string{"371522382791"}},
		// Lacework: trust to the role lacework-platform of 434813966438
		// (lacework_aws_account_id's default) with the ExternalId Lacework
		// generates; no permissions in this file. Nothing to find.
		{name: "lacework", files: []string{"lacework/terraform-aws-iam-role-main.tf"},
			trust: "data.lacework_assume_role_policy",
			vars:  ext("${var.lacework_aws_account_id}", "434813966438", "${lacework_external_id.aws_iam_external_id[count.index].v2}", vendorExternalID),
			want:  map[string]string{}},
		// New Relic: trust to 754728514883 (a bare account id, so the
		// whole account) with the customer's New Relic account id as the
		// ExternalId: a short number anyone who knows the customer can
		// find. A read policy.
		{name: "newrelic", files: []string{"newrelic/cloud-integrations-aws-main.tf"},
			trust: "data.newrelic_assume_policy", perms: []string{"newrelic_aws_permissions"},
			vars: ext("${var.newrelic_account_id}", "3141592"),
			want: map[string]string{"TRUST-WEAK-EXTERNAL-ID": "medium", "TRUST-WHOLE-ACCOUNT": "medium"}},
		// Spot: trust to 922761411349:root with a generated ExternalId;
		// spot_policy.json passes and edits roles (iam:PassRole,
		// iam:PutRolePolicy on "*"), stops and terminates instances,
		// deletes volumes and snapshots, shares AMIs and reads any object.
		{name: "spot", files: []string{"spot/main.tf", "spot/spot_policy.json"},
			trust: "assume_role_policy", perms: []string{"spot_policy.json:"},
			vars: ext("${local.externalids[0]}", vendorExternalID),
			want: map[string]string{"TRUST-WHOLE-ACCOUNT": "low", "SENSITIVE-ON-ALL-RESOURCES": "critical", "NO-BOUNDARY-WRITE": "medium",
				// iam:PutRolePolicy on "*": it can write its own role's
				// inline policy.
				"ESCALATION-PATH": "critical"}},
		// Sysdig posture: trust to Sysdig's trusted identity (a role,
		// given by the Sysdig provider: here a role in 761931097553, the
		// list's first Sysdig account) with the tenant's ExternalId;
		// SecurityAudit and extra reads.
		{name: "sysdig-posture", files: []string{"sysdig/config-posture-main.tf"},
			trust: "cspm_role.assume_role_policy", perms: []string{"cspm_role_policy"},
			managed: []string{"SecurityAudit"},
			vars:    ext("${local.trusted_identity}", "arn:aws:iam::761931097553:role/sysdig-secure", "${data.sysdig_secure_tenant_external_id.external_id.external_id}", vendorExternalID, "${local.arn_prefix}", "arn:aws"),
			want:    map[string]string{}},
		// Sysdig agentless scanning (the stack set's role): the same kind
		// of trust. Its policy, limited to the region by
		// aws:RequestedRegion, snapshots and shares volumes
		// (ec2:CreateSnapshot, CopySnapshot, ModifySnapshotAttribute,
		// DeleteSnapshot) and uses and grants any KMS key (kms:Decrypt,
		// kms:ReEncrypt*, kms:CreateGrant) on "*".
		{name: "sysdig-agentless", files: []string{"sysdig/agentless-scanning-main.tf"},
			trust: "ScanningRole/Properties/AssumeRolePolicyDocument", perms: []string{"ScanningRole/Properties/Policies[0]"},
			vars: ext("${data.sysdig_secure_trusted_cloud_identity.trusted_identity.identity}", "arn:aws:iam::761931097553:role/sysdig-secure",
				"${data.sysdig_secure_tenant_external_id.external_id.external_id}", vendorExternalID),
			want: map[string]string{"SENSITIVE-ON-ALL-RESOURCES": "critical", "NO-BOUNDARY-WRITE": "medium"}},
		// Vantage: trust to the role the Vantage provider names (here
		// arn:aws:iam::630399649041:role/vantage, the account of its SNS
		// topics) with its ExternalId; s3:GetObject on the CUR bucket only,
		// and ViewOnlyAccess.
		{name: "vantage", files: []string{"vantage/main.tf"},
			trust: "data.vantage_assume_role", perms: []string{"data.vantage_cur_retrieval"},
			managed: []string{"ViewOnlyAccess"},
			vars: ext("${data.vantage_aws_provider_info.default.iam_role_arn}", "arn:aws:iam::630399649041:role/vantage",
				"${data.vantage_aws_provider_info.default.external_id}", vendorExternalID,
				"${aws_s3_bucket.vantage_cost_and_usage_reports[0].arn}", "arn:aws:s3:::acme-cost-and-usage"),
			want: map[string]string{}},
	}
}

// TestVendorTemplates turns each vendor template of the shared corpus into
// a role in account 111122223333, deployed with the template's defaults,
// and reviews it with the public known-accounts list and no logs (so
// whether the vendor uses its grants is unknown). The expected findings
// were written by reading the templates; each case says why.
func TestVendorTemplates(t *testing.T) {
	dir := shareddata.Dir(t, "vendors")
	mamip := filepath.Join(shareddata.Dir(t, "iam", "managed-policies"), "mamip-policies.tar.gz")
	vendors, err := review.LoadVendors(filepath.Join(dir, "known_aws_accounts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range vendorCases() {
		t.Run(c.name, func(t *testing.T) {
			snap := buildVendorRole(t, dir, mamip, c)
			rep := runReview(t, review.Input{Snapshot: snap, Vendors: vendors},
				review.Options{OwnAccounts: c.own, Now: mustTime(t, "2026-06-01T00:00:00Z")})
			want := map[string]map[string]string{}
			if c.want != nil {
				want["VendorRole"] = c.want
			}
			sameFindings(t, findings(rep), want)
		})
	}
}

// buildVendorRole extracts the case's documents and builds a snapshot
// with one role, VendorRole, last used on 2026-05-01.
func buildVendorRole(t *testing.T, dir, mamip string, c vendorRole) *account.Snapshot {
	t.Helper()
	var docs []templateDoc
	for _, f := range c.files {
		docs = append(docs, extractTemplate(t, filepath.Join(dir, f))...)
	}
	render := func(d templateDoc) json.RawMessage {
		// Drop statements that are not objects: placeholders a build step
		// fills ("REPLACEMENT_READONLY_POLICY_STATEMENTS").
		doc := map[string]any{}
		for k, v := range d.doc {
			doc[k] = v
		}
		if l, ok := doc["Statement"].([]any); ok {
			var kept []any
			for _, s := range l {
				if isMap(s) {
					kept = append(kept, s)
				}
			}
			doc["Statement"] = kept
		}
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for k, v := range c.vars {
			s = strings.ReplaceAll(s, k, v)
		}
		return json.RawMessage(s)
	}
	var trust json.RawMessage
	var inline []account.InlinePolicy
	for _, d := range docs {
		switch {
		case c.trust != "" && strings.Contains(d.where, c.trust) && trust == nil:
			trust = render(d)
		default:
			for i, p := range c.perms {
				if strings.Contains(d.where, p) {
					inline = append(inline, account.InlinePolicy{PolicyName: "policy" + string(rune('A'+i)), PolicyDocument: render(d)})
					break
				}
			}
		}
	}
	if trust == nil {
		t.Fatalf("no trust document matches %q", c.trust)
	}
	if len(inline) != len(c.perms) {
		t.Fatalf("found %d of the %d permission documents %v", len(inline), len(c.perms), c.perms)
	}
	if c.dropExternalID {
		var doc map[string]any
		json.Unmarshal(trust, &doc)
		for _, s := range doc["Statement"].([]any) {
			delete(s.(map[string]any), "Condition")
		}
		trust, _ = json.Marshal(doc)
	}
	d := &account.AuthorizationDetails{}
	role := account.Role{
		RoleName: "VendorRole", Path: "/", RoleID: "AROAVENDORROLE000001", ARN: "arn:aws:iam::111122223333:role/VendorRole",
		CreateDate: account.Time{Time: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}, AssumeRolePolicyDocument: trust,
		RolePolicyList: inline,
		RoleLastUsed:   &account.RoleLastUsed{LastUsedDate: account.Time{Time: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}, Region: "us-east-1"},
	}
	if len(c.managed) > 0 {
		for name, doc := range managedPolicies(t, mamip, c.managed...) {
			arn := "arn:aws:iam::aws:policy/" + name
			role.AttachedManagedPolicies = append(role.AttachedManagedPolicies, account.AttachedPolicy{PolicyName: name, PolicyARN: arn})
			d.Policies = append(d.Policies, account.ManagedPolicy{PolicyName: name, ARN: arn, DefaultVersionID: "v1", AttachmentCount: 1, IsAttachable: true,
				PolicyVersionList: []account.PolicyVersion{{Document: doc, VersionID: "v1", IsDefaultVersion: true}}})
		}
	}
	d.RoleDetailList = []account.Role{role}
	if dump := os.Getenv("REVIEW_DUMP_DIR"); dump != "" {
		f, _ := os.Create(filepath.Join(dump, c.name+".json"))
		account.WriteAuthorizationDetails(f, d)
		f.Close()
	}
	snap, err := account.New(d)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestVendorTemplateUser reviews Lacework's GovCloud template, which gives
// the vendor an IAM user with an access key instead of a role:
// LaceworkCWSUser with SecurityAudit and LaceworkCWSPolicy (read the
// CloudTrail queue and delete its messages, s3:Get* on the trail bucket's
// AWSLogs, a few reads on "*"). Deployed in the commercial partition, with
// a key created on 2026-05-20 that Lacework uses from 198.51.100.80 (the
// activity below, written for this test). cloudzero/cloudtrail_owner.yaml,
// the corpus' other template without a role, holds only an SQS queue
// policy: a resource policy, which TestVendorTemplateResources reviews.
func TestVendorTemplateUser(t *testing.T) {
	dir := shareddata.Dir(t, "vendors")
	mamip := filepath.Join(shareddata.Dir(t, "iam", "managed-policies"), "mamip-policies.tar.gz")
	var cws json.RawMessage
	for _, d := range extractTemplate(t, filepath.Join(dir, "lacework", "lacework-aws-gov-cloud-ct-cfg.json")) {
		if strings.Contains(d.where, "LaceworkCWSPolicy/") {
			b, _ := json.Marshal(d.doc)
			s := strings.NewReplacer("arn:aws-us-gov:", "arn:aws:", "${LaceworkCWSQueue.Arn}", "arn:aws:sqs:us-east-1:111122223333:lacework-cws",
				"${ExistingTrailBucketName}", "acme-cloudtrail").Replace(string(b))
			cws = json.RawMessage(s)
		}
	}
	if cws == nil {
		t.Fatal("LaceworkCWSPolicy not found")
	}
	const arn = "arn:aws:iam::111122223333:user/lacework-laceworkcws"
	audit := managedPolicies(t, mamip, "SecurityAudit")["SecurityAudit"]
	snap, err := account.New(&account.AuthorizationDetails{
		UserDetailList: []account.User{{UserName: "lacework-laceworkcws", Path: "/", UserID: "AIDALACEWORKCWS00001", ARN: arn,
			CreateDate:              account.Time{Time: time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC)},
			UserPolicyList:          []account.InlinePolicy{{PolicyName: "LaceworkCWSPolicy", PolicyDocument: cws}},
			AttachedManagedPolicies: []account.AttachedPolicy{{PolicyName: "SecurityAudit", PolicyARN: "arn:aws:iam::aws:policy/SecurityAudit"}}}},
		Policies: []account.ManagedPolicy{{PolicyName: "SecurityAudit", ARN: "arn:aws:iam::aws:policy/SecurityAudit", DefaultVersionID: "v1", AttachmentCount: 1, IsAttachable: true,
			PolicyVersionList: []account.PolicyVersion{{Document: audit, VersionID: "v1", IsDefaultVersion: true}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := account.ReadCredentialReport(strings.NewReader(
		"user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,"+
			"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"+
			"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,"+
			"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"+
			"lacework-laceworkcws,"+arn+",2026-05-20T09:00:00+00:00,false,N/A,N/A,N/A,false,"+
			"true,2026-05-20T09:00:01+00:00,2026-05-31T23:10:00+00:00,us-east-1,sqs,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"), "creds.csv")
	if err != nil {
		t.Fatal(err)
	}
	var events []usage.Activity
	for i, ev := range []struct{ source, name, resource string }{
		{"sqs.amazonaws.com", "ReceiveMessage", "arn:aws:sqs:us-east-1:111122223333:lacework-cws"},
		{"s3.amazonaws.com", "GetObject", "arn:aws:s3:::acme-cloudtrail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/05/31/a.json.gz"},
		{"sqs.amazonaws.com", "DeleteMessage", "arn:aws:sqs:us-east-1:111122223333:lacework-cws"},
		{"sqs.amazonaws.com", "ReceiveMessage", "arn:aws:sqs:us-east-1:111122223333:lacework-cws"},
	} {
		events = append(events, usage.Activity{Time: time.Date(2026, 5, 31, 23, 0, i, 0, time.UTC), Account: "111122223333", Region: "us-east-1",
			Principal: arn, PrincipalType: "IAMUser", PrincipalAccount: "111122223333", CallerAccount: "111122223333",
			AccessKeyID: "AKIALACEWORKCWS00001", SourceIP: "198.51.100.80", UserAgent: "lacework-cws/1.0",
			EventSource: ev.source, EventName: ev.name, Resources: []string{ev.resource}, EventID: "lw-" + string(rune('a'+i))})
	}
	in := review.Input{Snapshot: snap, Credentials: creds, Events: func(fn func(*usage.Activity) error) error {
		for i := range events {
			if err := fn(&events[i]); err != nil {
				return err
			}
		}
		return nil
	}}
	rep := runReview(t, in, review.Options{Now: mustTime(t, "2026-06-01T00:00:00Z")})
	// The key is used from a public address: the user is a third party.
	// Of its grants it used three actions (SecurityAudit alone holds
	// hundreds); sqs:DeleteMessage is its one write, and it has no
	// boundary. Its s3:Get* is limited to the trail bucket. The key is
	// twelve days old.
	sameFindings(t, findings(rep), map[string]map[string]string{"lacework-laceworkcws": {
		"KEY-USED-OUTSIDE": "low", "PERMISSIONS-UNUSED": "medium", "NO-BOUNDARY-WRITE": "low"}})
	p := principal(rep, "user/lacework-laceworkcws")
	if !p.ThirdParty {
		t.Error("the user is not marked third-party")
	}
	w := finding(rep, "user/lacework-laceworkcws", review.RuleNoBoundaryWrite)
	if len(w.Evidence.Actions) != 1 || w.Evidence.Actions[0].Action != "sqs:DeleteMessage" || !w.Evidence.Actions[0].Used {
		t.Errorf("write actions %+v, want sqs:DeleteMessage, used", w.Evidence.Actions)
	}
}
