package catalog

import (
	"maps"
	"slices"
	"strings"
)

// exception is what the project knows about one API operation beyond the
// catalog data. Tables of exceptions are keyed by "prefix:operation",
// lowercase, and are never modified.
type exception struct {
	// none, when set, says why the call needs no IAM permission.
	none string
	// needed are the actions the call always needs, "prefix:Name".
	needed []string
	// conds are actions the call may need; an empty reason takes the
	// generic rule's (see condFor).
	conds []condAction
	// note is shown with the mapping.
	note string
}

type condAction struct {
	action string
	reason string
	params []string
	// onlyIfParam drops the action, rather than keeping it as possible,
	// when none of params is present.
	onlyIfParam bool
}

func c(action string) condAction { return condAction{action: action} }

// The request parameters that decide conditional actions. Every name a rule
// uses is listed in ConditionalParams.
var (
	tagParams = []string{"tags", "tagSpecificationSet", "tagSpecifications", "tagList", "tagsList",
		"tagging", "x-amz-tagging", "transitiveTagKeys"}
	// createTagParams are the tag parameters of create calls (not S3's
	// "tagging" subresource key).
	createTagParams = []string{"tags", "tagSpecificationSet", "tagSpecifications", "tagList", "tagsList"}
	roleParams      = []string{"role", "roleArn", "iamInstanceProfile", "executionRoleArn", "taskRoleArn",
		"serviceRoleArn", "serviceRole", "cloudWatchLogsRoleArn", "monitoringRoleArn", "iamRoleArn",
		"jobRoleArn", "roleARN", "domainIAMRoleName", "deliverLogsPermissionArn", "roleArns"}
	aclParams = []string{"x-amz-acl", "x-amz-grant-read", "x-amz-grant-read-acp", "x-amz-grant-write",
		"x-amz-grant-write-acp", "x-amz-grant-full-control"}
	retentionParams  = []string{"x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date"}
	legalHoldParams  = []string{"x-amz-object-lock-legal-hold"}
	bypassParams     = []string{"x-amz-bypass-governance-retention"}
	bucketLockParams = []string{"x-amz-bucket-object-lock-enabled"}
	ownershipParams  = []string{"x-amz-object-ownership"}
	versionParams    = []string{"versionId"}
)

// ConditionalParams returns the names of the top-level CloudTrail
// requestParameters keys whose presence decides a conditional action: the
// keys a decoder should record (tailor.Event.RequestParams) and pass to Map.
// Names are as CloudTrail writes them; Map compares them without regard to
// case. The list applies to every service: Map only consults the parameters
// that matter for the operation it maps. The result is sorted and a fresh
// copy.
func ConditionalParams() []string {
	set := make(map[string]bool)
	for _, list := range [][]string{tagParams, roleParams, aclParams, retentionParams, legalHoldParams,
		bypassParams, bucketLockParams, ownershipParams, versionParams,
		{"sourceIdentity", "providedContexts", "layers", "filters", "addReplicaRegions", "roleName",
			"finalDBSnapshotIdentifier", "capacityProviderConfig", "guardrailIdentifier"}} {
		for _, p := range list {
			set[p] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// noPermission lists calls that need no IAM permission: authentication
// steps that policies cannot control, and events AWS services log for work
// they do themselves (eventType AwsServiceEvent).
var noPermission = map[string]string{
	"sts:getcalleridentity": "sts:GetCallerIdentity needs no permission; an explicit Deny does not block it",
	"sts:getsessiontoken":   "sts:GetSessionToken needs no permission; policies cannot control authentication",

	"signin:consolelogin":              "console sign-in authenticates; it needs no IAM action",
	"signin:checkmfa":                  "console sign-in step; it needs no IAM action",
	"signin:credentialchallenge":       "console sign-in step; it needs no IAM action",
	"signin:credentialverification":    "console sign-in step; it needs no IAM action",
	"signin:userauthentication":        "console sign-in step; it needs no IAM action",
	"signin:getsignintoken":            "federation sign-in token; it needs no IAM action",
	"signin:externalidpdirectorylogin": "sign-in through an external identity provider; it needs no IAM action",
	"signin:renewrole":                 "console session renewal; it needs no IAM action",
	"signin:exitrole":                  "console role exit; it needs no IAM action",

	"kms:rotatekey":                "AWS KMS service event: automatic key rotation",
	"kms:deletekey":                "AWS KMS service event: a scheduled key deletion completed",
	"kms:deleteexpiredkeymaterial": "AWS KMS service event: imported key material expired",

	"secretsmanager:startsecretversiondelete":  "Secrets Manager service event",
	"secretsmanager:endsecretversiondelete":    "Secrets Manager service event",
	"secretsmanager:cancelsecretversiondelete": "Secrets Manager service event",
	"secretsmanager:rotationstarted":           "Secrets Manager service event",
	"secretsmanager:rotationsucceeded":         "Secrets Manager service event",
	"secretsmanager:rotationfailed":            "Secrets Manager service event",
	"secretsmanager:rotationabandoned":         "Secrets Manager service event",

	"ec2:sharedsnapshotvolumecreated":   "EC2 service event: a volume was created from a shared snapshot",
	"ec2:sharedsnapshotcopyinitiated":   "EC2 service event: a shared snapshot was copied",
	"s3:jobstatuschanged":               "S3 Batch Operations service event",
	"organizations:createaccountresult": "AWS Organizations service event: the result of CreateAccount",
}

var partiQL = []condAction{
	{action: "dynamodb:PartiQLSelect", reason: "a SELECT statement"},
	{action: "dynamodb:PartiQLInsert", reason: "an INSERT statement"},
	{action: "dynamodb:PartiQLUpdate", reason: "an UPDATE statement"},
	{action: "dynamodb:PartiQLDelete", reason: "a DELETE statement"},
}

var lambdaCapacityProvider = condAction{action: "lambda:PassCapacityProvider", reason: "a capacity provider in the request", params: []string{"capacityProviderConfig"}}

var s3PutObjectConds = []condAction{c("s3:PutObjectAcl"), c("s3:PutObjectTagging"),
	c("s3:PutObjectRetention"), c("s3:PutObjectLegalHold")}

// exceptions is the table of operations whose event name is not, or not
// only, the IAM action of the same name.
var exceptions = map[string]exception{
	// S3: names that differ from their actions.
	"s3:listobjectsv2":        {needed: []string{"s3:ListBucket"}},
	"s3:listobjectversions":   {needed: []string{"s3:ListBucketVersions"}},
	"s3:listmultipartuploads": {needed: []string{"s3:ListBucketMultipartUploads"}},
	"s3:listparts":            {needed: []string{"s3:ListMultipartUploadParts"}},
	"s3:listbuckets":          {needed: []string{"s3:ListAllMyBuckets"}},
	"s3:headobject":           {needed: []string{"s3:GetObject"}},
	"s3:headbucket":           {needed: []string{"s3:ListBucket"}},
	"s3:selectobjectcontent":  {needed: []string{"s3:GetObject"}},
	"s3:copyobject": {needed: []string{"s3:GetObject", "s3:PutObject"},
		conds: append([]condAction{{action: "s3:GetObjectVersion", reason: "the copy source names a version (x-amz-copy-source ...?versionId=)"}}, s3PutObjectConds...),
		note:  "s3:GetObject on the source object, s3:PutObject on the destination"},
	"s3:uploadpartcopy": {needed: []string{"s3:GetObject", "s3:PutObject"},
		conds: []condAction{{action: "s3:GetObjectVersion", reason: "the copy source names a version (x-amz-copy-source ...?versionId=)"}},
		note:  "s3:GetObject on the source object, s3:PutObject on the destination"},
	"s3:putobject":               {conds: s3PutObjectConds},
	"s3:createmultipartupload":   {needed: []string{"s3:PutObject"}, conds: s3PutObjectConds},
	"s3:uploadpart":              {needed: []string{"s3:PutObject"}},
	"s3:completemultipartupload": {needed: []string{"s3:PutObject"}},
	"s3:deleteobject":            {conds: []condAction{c("s3:BypassGovernanceRetention")}},
	"s3:deleteobjects": {needed: []string{"s3:DeleteObject"}, conds: []condAction{
		{action: "s3:DeleteObjectVersion", reason: "the request names object versions"},
		c("s3:BypassGovernanceRetention")}},
	"s3:createbucket": {conds: []condAction{c("s3:PutBucketAcl"), c("s3:PutBucketObjectLockConfiguration"),
		c("s3:PutBucketVersioning"), c("s3:PutBucketOwnershipControls")}},
	"s3:getbucketlifecycle":                          {needed: []string{"s3:GetLifecycleConfiguration"}},
	"s3:getbucketlifecycleconfiguration":             {needed: []string{"s3:GetLifecycleConfiguration"}},
	"s3:putbucketlifecycle":                          {needed: []string{"s3:PutLifecycleConfiguration"}},
	"s3:putbucketlifecycleconfiguration":             {needed: []string{"s3:PutLifecycleConfiguration"}},
	"s3:deletebucketlifecycle":                       {needed: []string{"s3:PutLifecycleConfiguration"}},
	"s3:getbucketencryption":                         {needed: []string{"s3:GetEncryptionConfiguration"}},
	"s3:putbucketencryption":                         {needed: []string{"s3:PutEncryptionConfiguration"}},
	"s3:deletebucketencryption":                      {needed: []string{"s3:PutEncryptionConfiguration"}},
	"s3:getbucketreplication":                        {needed: []string{"s3:GetReplicationConfiguration"}},
	"s3:putbucketreplication":                        {needed: []string{"s3:PutReplicationConfiguration"}, conds: []condAction{c("iam:PassRole")}},
	"s3:deletebucketreplication":                     {needed: []string{"s3:PutReplicationConfiguration"}},
	"s3:getpublicaccessblock":                        {needed: []string{"s3:GetBucketPublicAccessBlock"}},
	"s3:putpublicaccessblock":                        {needed: []string{"s3:PutBucketPublicAccessBlock"}},
	"s3:deletepublicaccessblock":                     {needed: []string{"s3:PutBucketPublicAccessBlock"}},
	"s3:deletebucketpublicaccessblock":               {needed: []string{"s3:PutBucketPublicAccessBlock"}},
	"s3:deletebucketcors":                            {needed: []string{"s3:PutBucketCORS"}},
	"s3:deletebuckettagging":                         {needed: []string{"s3:PutBucketTagging"}},
	"s3:deletebucketownershipcontrols":               {needed: []string{"s3:PutBucketOwnershipControls"}},
	"s3:getbucketaccelerateconfiguration":            {needed: []string{"s3:GetAccelerateConfiguration"}},
	"s3:putbucketaccelerateconfiguration":            {needed: []string{"s3:PutAccelerateConfiguration"}},
	"s3:getbucketanalyticsconfiguration":             {needed: []string{"s3:GetAnalyticsConfiguration"}},
	"s3:listbucketanalyticsconfigurations":           {needed: []string{"s3:GetAnalyticsConfiguration"}},
	"s3:putbucketanalyticsconfiguration":             {needed: []string{"s3:PutAnalyticsConfiguration"}},
	"s3:deletebucketanalyticsconfiguration":          {needed: []string{"s3:PutAnalyticsConfiguration"}},
	"s3:getbucketinventoryconfiguration":             {needed: []string{"s3:GetInventoryConfiguration"}},
	"s3:listbucketinventoryconfigurations":           {needed: []string{"s3:GetInventoryConfiguration"}},
	"s3:putbucketinventoryconfiguration":             {needed: []string{"s3:PutInventoryConfiguration"}},
	"s3:deletebucketinventoryconfiguration":          {needed: []string{"s3:PutInventoryConfiguration"}},
	"s3:getbucketmetricsconfiguration":               {needed: []string{"s3:GetMetricsConfiguration"}},
	"s3:listbucketmetricsconfigurations":             {needed: []string{"s3:GetMetricsConfiguration"}},
	"s3:putbucketmetricsconfiguration":               {needed: []string{"s3:PutMetricsConfiguration"}},
	"s3:deletebucketmetricsconfiguration":            {needed: []string{"s3:PutMetricsConfiguration"}},
	"s3:getbucketintelligenttieringconfiguration":    {needed: []string{"s3:GetIntelligentTieringConfiguration"}},
	"s3:listbucketintelligenttieringconfigurations":  {needed: []string{"s3:GetIntelligentTieringConfiguration"}},
	"s3:putbucketintelligenttieringconfiguration":    {needed: []string{"s3:PutIntelligentTieringConfiguration"}},
	"s3:deletebucketintelligenttieringconfiguration": {needed: []string{"s3:PutIntelligentTieringConfiguration"}},
	"s3:getbucketnotificationconfiguration":          {needed: []string{"s3:GetBucketNotification"}},
	"s3:putbucketnotificationconfiguration":          {needed: []string{"s3:PutBucketNotification"}},
	"s3:getobjectlockconfiguration":                  {needed: []string{"s3:GetBucketObjectLockConfiguration"}},
	"s3:putobjectlockconfiguration":                  {needed: []string{"s3:PutBucketObjectLockConfiguration"}},

	// Lambda: invocation and versioned names (the version suffix is
	// dropped before lookup, see operationName).
	"lambda:invoke":                   {needed: []string{"lambda:InvokeFunction"}},
	"lambda:invokewithresponsestream": {needed: []string{"lambda:InvokeFunction"}},
	"lambda:getlayerversionbyarn":     {needed: []string{"lambda:GetLayerVersion"}},
	"lambda:createfunction": {conds: []condAction{c("iam:PassRole"), c("lambda:TagResource"), {action: "lambda:GetLayerVersion", reason: "layers in the request", params: []string{"layers"}},
		lambdaCapacityProvider}},
	"lambda:updatefunctionconfiguration": {conds: []condAction{c("iam:PassRole"), {action: "lambda:GetLayerVersion", reason: "layers in the request", params: []string{"layers"}},
		lambdaCapacityProvider}},
	"lambda:getfunction": {conds: []condAction{{action: "lambda:ListTags", reason: "the function's tags are returned only with lambda:ListTags"}}},

	// STS: session tags, source identity, context.
	"sts:assumerole": {conds: []condAction{c("sts:TagSession"), c("sts:SetSourceIdentity"), c("sts:SetContext")}},
	"sts:assumerolewithsaml": {conds: []condAction{
		{action: "sts:TagSession", reason: "session tags in the SAML assertion"},
		{action: "sts:SetSourceIdentity", reason: "a source identity in the SAML assertion"}}},
	"sts:assumerolewithwebidentity": {conds: []condAction{
		{action: "sts:TagSession", reason: "session tags in the web identity token"},
		{action: "sts:SetSourceIdentity", reason: "a source identity in the web identity token"}}},
	"sts:getfederationtoken": {conds: []condAction{c("sts:TagSession")}},

	// Console role switching is logged by the sign-in service.
	"signin:switchrole": {needed: []string{"sts:AssumeRole"}, note: "console role switch: sts:AssumeRole on the target role"},

	// KMS.
	"kms:reencrypt": {needed: []string{"kms:ReEncryptFrom", "kms:ReEncryptTo"},
		note: "kms:ReEncryptFrom on the source key, kms:ReEncryptTo on the destination key"},
	"kms:createkey": {conds: []condAction{c("kms:TagResource")}},

	// IAM: tags on create.
	"iam:createrole":            {conds: []condAction{c("iam:TagRole")}},
	"iam:createuser":            {conds: []condAction{c("iam:TagUser")}},
	"iam:createpolicy":          {conds: []condAction{c("iam:TagPolicy")}},
	"iam:createinstanceprofile": {conds: []condAction{c("iam:TagInstanceProfile")}},

	// EC2: tag on create, instance profiles.
	"ec2:runinstances": {conds: []condAction{c("ec2:CreateTags"), c("iam:PassRole")}},

	// RDS: roles handed to the database.
	"rds:addroletodbinstance": {conds: []condAction{c("iam:PassRole")}},
	"rds:addroletodbcluster":  {conds: []condAction{c("iam:PassRole")}},
	"rds:startexporttask":     {conds: []condAction{c("iam:PassRole")}},

	// Batch calls authorized as their single-item action.
	"sqs:sendmessagebatch":             {needed: []string{"sqs:SendMessage"}},
	"sqs:deletemessagebatch":           {needed: []string{"sqs:DeleteMessage"}},
	"sqs:changemessagevisibilitybatch": {needed: []string{"sqs:ChangeMessageVisibility"}},
	"sqs:createqueue":                  {conds: []condAction{c("sqs:TagQueue")}},
	"sns:publishbatch":                 {needed: []string{"sns:Publish"}},
	"dynamodb:transactgetitems":        {needed: []string{"dynamodb:GetItem"}},
	"dynamodb:transactwriteitems": {conds: []condAction{
		{action: "dynamodb:PutItem", reason: "a Put in the transaction"},
		{action: "dynamodb:UpdateItem", reason: "an Update in the transaction"},
		{action: "dynamodb:DeleteItem", reason: "a Delete in the transaction"},
		{action: "dynamodb:ConditionCheckItem", reason: "a ConditionCheck in the transaction"}}},
	"dynamodb:executestatement":      {conds: partiQL},
	"dynamodb:batchexecutestatement": {conds: partiQL},
	"dynamodb:executetransaction":    {conds: partiQL},
	"secretsmanager:batchgetsecretvalue": {needed: []string{"secretsmanager:BatchGetSecretValue", "secretsmanager:GetSecretValue"},
		conds: []condAction{{action: "secretsmanager:ListSecrets", reason: "filters instead of secret ids", params: []string{"filters"}}},
		note:  "secretsmanager:GetSecretValue on every secret returned"},
	// Dependent actions AWS's Operations data lists for calls of the
	// shared corpus that no generic rule gives (see TestDependentMisses).
	"s3:getobject": {conds: []condAction{c("s3:GetObjectTagging"), c("s3:GetObjectRetention"), c("s3:GetObjectLegalHold")}},
	"s3:listobjects": {needed: []string{"s3:ListBucket"}, conds: []condAction{
		{action: "s3:GetObjectAcl", reason: "object owners in the listing (fetch-owner)"}}},
	"rds:deletedbcluster": {conds: []condAction{
		{action: "rds:CreateDBClusterSnapshot", reason: "a final snapshot", params: []string{"finalDBSnapshotIdentifier"}},
		{action: "rds:DeleteDBInstance", reason: "the cluster's instances deleted with it"}}},
	"rds:deletedbinstance": {conds: []condAction{
		{action: "rds:CreateDBSnapshot", reason: "a final snapshot", params: []string{"finalDBSnapshotIdentifier"}},
		c("rds:DeleteTenantDatabase")}},
	"rds:modifydbcluster":                 {conds: []condAction{c("rds:ModifyDBInstance")}},
	"rds:rebootdbcluster":                 {conds: []condAction{c("rds:RebootDBInstance")}},
	"rds:createdbinstance":                {conds: []condAction{c("rds:CreateTenantDatabase")}},
	"rds:createdbinstancereadreplica":     {conds: []condAction{c("rds:CreateTenantDatabase")}},
	"rds:restoredbinstancefromdbsnapshot": {conds: []condAction{c("rds:CreateTenantDatabase")}},
	"rds:copydbsnapshot":                  {conds: []condAction{c("rds:CopyCustomDBEngineVersion")}},
	"rds:removerolefromdbinstance":        {conds: []condAction{c("iam:PassRole")}},
	"iam:addroletoinstanceprofile":        {conds: []condAction{{action: "iam:PassRole", reason: "the role added to the instance profile", params: []string{"roleName"}}}},
	"iam:createservicelinkedrole":         {conds: []condAction{c("iam:PutRolePolicy")}},
	"es:createelasticsearchdomain":        {conds: []condAction{c("es:CreateDomain")}},
	"ce:getcostandusage":                  {conds: []condAction{c("aws-portal:ViewBilling")}},
	"ce:getcostforecast":                  {conds: []condAction{c("aws-portal:ViewBilling")}},
	"dynamodb:describetable": {conds: []condAction{
		{action: "dynamodb:ReadDataForReplication", reason: "a global table replica"},
		{action: "dynamodb:ReplicateSettings", reason: "a global table replica"}}},
	"dynamodb:getrecords": {conds: []condAction{{action: "dynamodb:ReadDataForReplication", reason: "a global table replica"}}},
	"bedrock:invokemodel": {conds: []condAction{
		{action: "bedrock:ApplyGuardrail", reason: "a guardrail in the request", params: []string{"guardrailIdentifier"}},
		c("bedrock:InvokeTool")}},
	"sso:listapplications": {conds: []condAction{c("sso:GetApplicationInstance"), c("sso:ListApplicationInstances"), c("sso:ListApplicationProviders")}},
	"wafv2:disassociatewebacl": {conds: []condAction{
		{action: "elasticloadbalancing:SetWebAcl", reason: "an Application Load Balancer"},
		{action: "elasticloadbalancing:DeleteWebACLAssociation", reason: "an Application Load Balancer"},
		{action: "appsync:SetWebACL", reason: "an AppSync API"},
		{action: "appsync:DisassociateWebACL", reason: "an AppSync API"},
		{action: "apigateway:SetWebACL", reason: "an API Gateway stage"}}},

	"secretsmanager:createsecret": {conds: []condAction{c("secretsmanager:TagResource"),
		{action: "secretsmanager:ReplicateSecretToRegions", reason: "replica regions in the request", params: []string{"addReplicaRegions"}}}},
}

// paramNeeds lists, per service prefix, request parameters whose presence
// makes an action needed whatever the operation: tagging EC2 resources on
// creation needs ec2:CreateTags.
var paramNeeds = map[string][]condAction{
	"ec2": {{action: "ec2:CreateTags", reason: "tags on create (tagSpecificationSet)", params: []string{"tagSpecificationSet"}}},
}

// apiGatewayVerb returns the HTTP-verb action API Gateway authorizes a
// management operation with ("GetRestApis" → "apigateway:GET"), or "".
func apiGatewayVerb(op string) string {
	for _, v := range []struct{ prefix, verb string }{
		{"Get", "GET"}, {"Export", "GET"},
		{"Create", "POST"}, {"Generate", "POST"}, {"Test", "POST"},
		{"Update", "PATCH"},
		{"Put", "PUT"},
		{"Delete", "DELETE"}, {"Flush", "DELETE"},
	} {
		if rest, ok := strings.CutPrefix(op, v.prefix); ok && rest != "" && rest[0] >= 'A' && rest[0] <= 'Z' {
			return "apigateway:" + v.verb
		}
	}
	return ""
}

// exceptionTargets returns the lowercase full names of the actions the
// exception table maps some event to as always needed: CloudTrail shows
// them, under another name, so they are not permission-only.
func exceptionTargets() map[string]bool {
	out := make(map[string]bool)
	for _, e := range exceptions {
		for _, a := range e.needed {
			out[strings.ToLower(a)] = true
		}
	}
	for _, v := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		out["apigateway:"+strings.ToLower(v)] = true
	}
	return out
}
