package review

import (
	"regexp"
	"strings"

	"github.com/tailor-sec/tailor/catalog"
)

// sweepRule classifies calls by name.
type sweepRule struct {
	category string
	reason   string
}

// sweepNames classifies calls by "prefix:Name" (event source prefix, event
// name without Lambda's API version suffix).
var sweepNames = map[string]sweepRule{
	// Persistence: new identities and credentials, trust and policy changes.
	"iam:CreateUser":                                     {CategoryPersistence, "new IAM user"},
	"iam:CreateAccessKey":                                {CategoryPersistence, "new access key"},
	"iam:UpdateAccessKey":                                {CategoryPersistence, "access key status changed"},
	"iam:CreateLoginProfile":                             {CategoryPersistence, "console password created"},
	"iam:UpdateLoginProfile":                             {CategoryPersistence, "console password changed"},
	"iam:CreateRole":                                     {CategoryPersistence, "new role"},
	"iam:UpdateAssumeRolePolicy":                         {CategoryPersistence, "role trust changed"},
	"iam:AttachUserPolicy":                               {CategoryPersistence, "policy attached to a user"},
	"iam:AttachRolePolicy":                               {CategoryPersistence, "policy attached to a role"},
	"iam:AttachGroupPolicy":                              {CategoryPersistence, "policy attached to a group"},
	"iam:PutUserPolicy":                                  {CategoryPersistence, "inline policy of a user written"},
	"iam:PutRolePolicy":                                  {CategoryPersistence, "inline policy of a role written"},
	"iam:PutGroupPolicy":                                 {CategoryPersistence, "inline policy of a group written"},
	"iam:CreatePolicy":                                   {CategoryPersistence, "new managed policy"},
	"iam:CreatePolicyVersion":                            {CategoryPersistence, "managed policy rewritten"},
	"iam:SetDefaultPolicyVersion":                        {CategoryPersistence, "managed policy version switched"},
	"iam:AddUserToGroup":                                 {CategoryPersistence, "user added to a group"},
	"iam:AddRoleToInstanceProfile":                       {CategoryPersistence, "role added to an instance profile"},
	"iam:CreateInstanceProfile":                          {CategoryPersistence, "new instance profile"},
	"iam:UploadSSHPublicKey":                             {CategoryPersistence, "SSH key uploaded"},
	"iam:UploadSigningCertificate":                       {CategoryPersistence, "signing certificate uploaded"},
	"iam:CreateServiceSpecificCredential":                {CategoryPersistence, "new service credential"},
	"iam:CreateOpenIDConnectProvider":                    {CategoryPersistence, "new OIDC identity provider"},
	"iam:CreateSAMLProvider":                             {CategoryPersistence, "new SAML identity provider"},
	"iam:UpdateSAMLProvider":                             {CategoryPersistence, "SAML identity provider changed"},
	"iam:DeleteRolePermissionsBoundary":                  {CategoryPersistence, "permission boundary removed from a role"},
	"iam:DeleteUserPermissionsBoundary":                  {CategoryPersistence, "permission boundary removed from a user"},
	"iam:DeactivateMFADevice":                            {CategoryPersistence, "MFA device deactivated"},
	"sts:GetFederationToken":                             {CategoryPersistence, "federation token issued"},
	"rolesanywhere:CreateTrustAnchor":                    {CategoryPersistence, "new IAM Roles Anywhere trust anchor"},
	"rolesanywhere:CreateProfile":                        {CategoryPersistence, "new IAM Roles Anywhere profile"},
	"lambda:AddPermission":                               {CategoryPersistence, "function resource policy extended"},
	"lambda:UpdateFunctionCode":                          {CategoryPersistence, "function code replaced"},
	"lambda:UpdateFunctionConfiguration":                 {CategoryPersistence, "function configuration changed"},
	"lambda:CreateFunction":                              {CategoryPersistence, "new function"},
	"lambda:PublishLayerVersion":                         {CategoryPersistence, "new layer version"},
	"lambda:AddLayerVersionPermission":                   {CategoryPersistence, "layer shared"},
	"ec2:ModifyInstanceAttribute":                        {CategoryPersistence, "instance attribute changed (user data, role)"},
	"ec2:CreateKeyPair":                                  {CategoryPersistence, "new EC2 key pair"},
	"ec2:ImportKeyPair":                                  {CategoryPersistence, "EC2 key pair imported"},
	"sso:CreateAccountAssignment":                        {CategoryPersistence, "Identity Center access assigned"},
	"identitystore:CreateUser":                           {CategoryPersistence, "new Identity Center user"},
	"ec2-instance-connect:SendSSHPublicKey":              {CategoryExecution, "SSH key pushed to an instance"},
	"ec2-instance-connect:SendSerialConsoleSSHPublicKey": {CategoryExecution, "SSH key pushed to an instance's serial console"},
	"ec2:EnableSerialConsoleAccess":                      {CategoryExposure, "serial console access enabled"},
	"ssm:SendCommand":                                    {CategoryExecution, "command run on instances"},
	"ssm:StartSession":                                   {CategoryExecution, "shell session opened on an instance"},
	"ec2:RunInstances":                                   {CategoryExecution, "instances launched"},
	"bedrock:InvokeModel":                                {CategoryExecution, "model invoked"},

	// Data reads.
	"s3:GetObject":                       {CategoryDataRead, "object read"},
	"s3:SelectObjectContent":             {CategoryDataRead, "object queried"},
	"kms:Decrypt":                        {CategoryDataRead, "data decrypted"},
	"kms:ReEncrypt":                      {CategoryDataRead, "data re-encrypted"},
	"secretsmanager:GetSecretValue":      {CategoryDataRead, "secret read"},
	"secretsmanager:BatchGetSecretValue": {CategoryDataRead, "secrets read"},
	"ssm:GetParameter":                   {CategoryDataRead, "parameter read"},
	"ssm:GetParameters":                  {CategoryDataRead, "parameters read"},
	"ssm:GetParametersByPath":            {CategoryDataRead, "parameters read"},
	"ec2:GetPasswordData":                {CategoryDataRead, "Windows administrator password read"},
	"ec2:DescribeInstanceAttribute":      {CategoryDataRead, "instance attribute read (may be user data)"},
	"dynamodb:GetItem":                   {CategoryDataRead, "table item read"},
	"dynamodb:BatchGetItem":              {CategoryDataRead, "table items read"},
	"dynamodb:Query":                     {CategoryDataRead, "table queried"},
	"dynamodb:Scan":                      {CategoryDataRead, "table scanned"},
	"dynamodb:ExportTableToPointInTime":  {CategoryDataRead, "table exported"},
	"athena:GetQueryResults":             {CategoryDataRead, "query results read"},

	// Exposure: sharing and opening.
	"ec2:AuthorizeSecurityGroupIngress":    {CategoryExposure, "inbound access opened"},
	"ec2:ModifyImageAttribute":             {CategoryExposure, "AMI sharing changed"},
	"ec2:ModifySnapshotAttribute":          {CategoryExposure, "EBS snapshot sharing changed"},
	"rds:ModifyDBSnapshotAttribute":        {CategoryExposure, "database snapshot sharing changed"},
	"rds:ModifyDBClusterSnapshotAttribute": {CategoryExposure, "database cluster snapshot sharing changed"},
	"s3:PutBucketPolicy":                   {CategoryExposure, "bucket policy written"},
	"s3:PutBucketAcl":                      {CategoryExposure, "bucket ACL written"},
	"s3:PutObjectAcl":                      {CategoryExposure, "object ACL written"},
	"s3:DeleteBucketPublicAccessBlock":     {CategoryExposure, "bucket public access block removed"},
	"s3:PutBucketPublicAccessBlock":        {CategoryExposure, "bucket public access block changed"},
	"kms:PutKeyPolicy":                     {CategoryExposure, "key policy written"},
	"kms:CreateGrant":                      {CategoryExposure, "key use granted"},
	"secretsmanager:PutResourcePolicy":     {CategoryExposure, "secret resource policy written"},
	"sqs:AddPermission":                    {CategoryExposure, "queue shared"},
	"sqs:SetQueueAttributes":               {CategoryExposure, "queue attributes changed (policy)"},
	"sns:AddPermission":                    {CategoryExposure, "topic shared"},
	"ecr:SetRepositoryPolicy":              {CategoryExposure, "repository policy written"},
	"ram:CreateResourceShare":              {CategoryExposure, "resources shared"},

	// Destructive calls that the verb rule misses.
	"kms:ScheduleKeyDeletion":         {CategoryDestructive, "key deletion scheduled"},
	"organizations:LeaveOrganization": {CategoryDestructive, "account left the organization"},
	"cloudtrail:PutEventSelectors":    {CategoryDestructive, "trail event selectors changed (may stop logging)"},
	"cloudtrail:UpdateTrail":          {CategoryDestructive, "trail changed"},
}

// benign are calls the verb rule would call destructive but are not.
var benign = map[string]bool{
	"ssm:TerminateSession": true, "ssm:DeleteSession": true,
}

var destructiveVerbs = []struct{ prefix, reason string }{
	{"Delete", "deletes"}, {"BatchDelete", "deletes"}, {"Terminate", "terminates"}, {"Stop", "stops"},
	{"Disable", "disables"}, {"Deregister", "deregisters"}, {"Purge", "purges"}, {"Detach", "detaches"},
}

// apiVersion is the version suffix Lambda adds to event names
// ("UpdateFunctionCode20150331v2").
var apiVersion = regexp.MustCompile(`20\d{6}(v\d+)?$`)

// Classify tells whether a call belongs in a sweep, and why: persistence
// moves (new users, keys, roles; trust and policy changes), data reads,
// destructive calls (delete, terminate, stop, disable), exposure (sharing,
// opening access) and execution (commands, sessions, launches). It returns
// ok false for the other calls.
func Classify(eventSource, eventName string) (category, reason string, ok bool) {
	name := apiVersion.ReplaceAllString(eventName, "")
	key := catalog.ServicePrefix(eventSource) + ":" + name
	if r, found := sweepNames[key]; found {
		return r.category, r.reason, true
	}
	if benign[key] {
		return "", "", false
	}
	for _, v := range destructiveVerbs {
		if strings.HasPrefix(name, v.prefix) && len(name) > len(v.prefix) && name[len(v.prefix)] >= 'A' && name[len(v.prefix)] <= 'Z' {
			if v.prefix == "Detach" && catalog.ServicePrefix(eventSource) != "iam" {
				continue
			}
			return CategoryDestructive, v.reason + " " + splitCamel(name[len(v.prefix):]), true
		}
	}
	return "", "", false
}

// splitCamel turns "DBInstance" into "db instance" and "Trail" into
// "trail".
func splitCamel(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		upper := r >= 'A' && r <= 'Z'
		if i > 0 && upper {
			prevLower := rs[i-1] >= 'a' && rs[i-1] <= 'z'
			nextLower := i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z'
			prevUpper := rs[i-1] >= 'A' && rs[i-1] <= 'Z'
			if prevLower || (prevUpper && nextLower) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(strings.ToLower(string(r)))
	}
	return b.String()
}

// sweepRank orders sweep categories.
func sweepRank(c string) int {
	switch c {
	case CategoryPersistence:
		return 0
	case CategoryExposure:
		return 1
	case CategoryDestructive:
		return 2
	case CategoryDataRead:
		return 3
	case CategoryExecution:
		return 4
	}
	return 5
}
