package review

import "strings"

// Categories of sensitive actions and of sweep entries.
const (
	CategoryPersistence = "persistence"          // new users, keys, roles; trust and policy changes
	CategoryPrivilege   = "privilege-escalation" // actions that grant more access
	CategoryDataRead    = "data-read"            // object gets, decrypts, secret reads
	CategoryDestructive = "destructive"          // delete, terminate, stop, disable
	CategoryExposure    = "exposure"             // sharing snapshots, opening ports, resource policies
	CategoryExecution   = "execution"            // running code or commands on resources
)

// sensitiveAction is an IAM action that matters when granted on every
// resource.
type sensitiveAction struct {
	action   string
	category string
	reason   string
}

// sensitiveActions are the actions SENSITIVE-ON-ALL-RESOURCES looks for,
// ordered by category (the worst first), then by name.
var sensitiveActions = []sensitiveAction{
	{"iam:AddUserToGroup", CategoryPrivilege, "puts any user in any group"},
	{"iam:AttachGroupPolicy", CategoryPrivilege, "attaches any policy to any group"},
	{"iam:AttachRolePolicy", CategoryPrivilege, "attaches any policy to any role"},
	{"iam:AttachUserPolicy", CategoryPrivilege, "attaches any policy to any user"},
	{"iam:CreateAccessKey", CategoryPrivilege, "creates access keys for any user"},
	{"iam:CreateLoginProfile", CategoryPrivilege, "gives any user a console password"},
	{"iam:CreatePolicyVersion", CategoryPrivilege, "rewrites any managed policy"},
	{"iam:PassRole", CategoryPrivilege, "passes any role to a service, which then acts with it"},
	{"iam:PutGroupPolicy", CategoryPrivilege, "writes inline policies of any group"},
	{"iam:PutRolePolicy", CategoryPrivilege, "writes inline policies of any role"},
	{"iam:PutUserPolicy", CategoryPrivilege, "writes inline policies of any user"},
	{"iam:SetDefaultPolicyVersion", CategoryPrivilege, "switches any managed policy to another version"},
	{"iam:UpdateAssumeRolePolicy", CategoryPrivilege, "changes who may assume any role"},
	{"iam:UpdateLoginProfile", CategoryPrivilege, "resets any user's console password"},
	{"kms:CreateGrant", CategoryPrivilege, "delegates the use of any KMS key"},
	{"kms:PutKeyPolicy", CategoryPrivilege, "changes who may use any KMS key"},
	{"sts:AssumeRole", CategoryPrivilege, "assumes any role that trusts the account"},
	{"ec2:GetPasswordData", CategoryDataRead, "reads the administrator password of any Windows instance"},
	{"kms:Decrypt", CategoryDataRead, "decrypts data protected by any KMS key"},
	{"kms:ReEncryptFrom", CategoryDataRead, "re-encrypts data of any KMS key under another"},
	{"s3:GetObject", CategoryDataRead, "reads any object of any bucket"},
	{"secretsmanager:BatchGetSecretValue", CategoryDataRead, "reads any secret"},
	{"secretsmanager:GetSecretValue", CategoryDataRead, "reads any secret"},
	{"ssm:GetParameter", CategoryDataRead, "reads any parameter, SecureString ones included"},
	{"ssm:GetParameters", CategoryDataRead, "reads any parameter, SecureString ones included"},
	{"ssm:GetParametersByPath", CategoryDataRead, "reads any parameter, SecureString ones included"},
	{"lambda:UpdateFunctionCode", CategoryExecution, "runs its own code with any function's role"},
	{"ssm:SendCommand", CategoryExecution, "runs commands on any managed instance"},
	{"ssm:StartSession", CategoryExecution, "opens a shell on any managed instance"},
	{"cloudtrail:DeleteTrail", CategoryDestructive, "deletes the audit trail"},
	{"cloudtrail:StopLogging", CategoryDestructive, "stops the audit trail"},
	{"ec2:DeleteSnapshot", CategoryDestructive, "deletes any EBS snapshot"},
	{"ec2:DeleteVolume", CategoryDestructive, "deletes any EBS volume"},
	{"ec2:StopInstances", CategoryDestructive, "stops any instance"},
	{"ec2:TerminateInstances", CategoryDestructive, "terminates any instance"},
	{"kms:ScheduleKeyDeletion", CategoryDestructive, "schedules the deletion of any KMS key"},
	{"rds:DeleteDBInstance", CategoryDestructive, "deletes any database"},
	{"s3:DeleteBucket", CategoryDestructive, "deletes any bucket"},
	{"s3:DeleteObject", CategoryDestructive, "deletes any object"},
	{"ec2:ModifyImageAttribute", CategoryExposure, "shares any AMI with other accounts"},
	{"ec2:ModifySnapshotAttribute", CategoryExposure, "shares any EBS snapshot with other accounts"},
	{"rds:ModifyDBSnapshotAttribute", CategoryExposure, "shares any database snapshot with other accounts"},
	{"s3:PutBucketPolicy", CategoryExposure, "opens any bucket to anyone"},
}

// categoryRank orders categories, the worst first.
func categoryRank(c string) int {
	switch c {
	case CategoryPrivilege:
		return 0
	case CategoryDataRead:
		return 1
	case CategoryExecution:
		return 2
	case CategoryDestructive:
		return 3
	case CategoryExposure:
		return 4
	case CategoryPersistence:
		return 5
	}
	return 6
}

// kmsCryptoOperation reports whether an action is a KMS cryptographic
// operation: AWS classes them Write, but they change nothing. The review
// judges them as sensitive actions, not as writes.
func kmsCryptoOperation(action string) bool {
	prefix, name, ok := strings.Cut(action, ":")
	if !ok || !strings.EqualFold(prefix, "kms") {
		return false
	}
	for _, p := range []string{"Decrypt", "Encrypt", "GenerateDataKey", "GenerateMac", "GenerateRandom", "ReEncrypt", "Sign", "Verify", "DeriveSharedSecret"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
