package trailgen

import (
	"encoding/json"
	"time"
)

// The IAM snapshot of the demo account, in the shape of
// `aws iam get-account-authorization-details`. The customer-managed and
// inline policies are written for the demo; the two AWS managed policies
// (AdministratorAccess, AWSLambdaBasicExecutionRole) are short enough to
// state from the IAM documentation. Grants are wider than what the logs
// show being used, so rightsizing has something to cut.

type policyDoc struct {
	Version   string `json:"Version"`
	Statement []stmt `json:"Statement"`
}

type stmt struct {
	Sid       string                    `json:"Sid,omitempty"`
	Effect    string                    `json:"Effect"`
	Principal any                       `json:"Principal,omitempty"`
	Action    any                       `json:"Action"`
	Resource  any                       `json:"Resource,omitempty"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

func allow(actions any, resource any) stmt {
	return stmt{Effect: "Allow", Action: actions, Resource: resource}
}

func doc(s ...stmt) policyDoc { return policyDoc{Version: "2012-10-17", Statement: s} }

// text renders a document the way a person pastes it into the console.
func (d policyDoc) text() string {
	b, _ := json.MarshalIndent(d, "", "    ")
	return string(b)
}

// trustAccount trusts a whole external account, with an ExternalId
// condition when externalID is set.
func trustAccount(account, externalID string) policyDoc {
	s := stmt{Effect: "Allow", Principal: map[string]string{"AWS": "arn:aws:iam::" + account + ":root"}, Action: "sts:AssumeRole"}
	if externalID != "" {
		s.Condition = map[string]map[string]any{"StringEquals": {"sts:ExternalId": externalID}}
	}
	return doc(s)
}

func datadogPolicy() policyDoc {
	return doc(
		stmt{Sid: "DatadogReadOnly", Effect: "Allow", Action: []string{
			"apigateway:GET", "autoscaling:Describe*", "cloudfront:GetDistributionConfig", "cloudfront:ListDistributions",
			"cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:LookupEvents",
			"cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*", "dynamodb:Describe*", "dynamodb:List*",
			"ec2:Describe*", "ecs:Describe*", "ecs:List*", "elasticloadbalancing:Describe*",
			"health:DescribeAffectedEntities", "health:DescribeEventDetails", "health:DescribeEvents",
			"lambda:GetPolicy", "lambda:List*", "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:FilterLogEvents",
			"rds:Describe*", "rds:List*", "s3:GetBucketLocation", "s3:GetBucketLogging", "s3:GetBucketNotification",
			"s3:GetBucketTagging", "s3:ListAllMyBuckets", "sns:List*", "sqs:ListQueues",
			"tag:GetResources", "tag:GetTagKeys", "tag:GetTagValues",
		}, Resource: "*"},
		stmt{Sid: "DatadogLogAndSecretAccess", Effect: "Allow", Action: []string{
			"kms:Decrypt", "s3:GetObject", "secretsmanager:GetSecretValue",
		}, Resource: "*"},
	)
}

func cloudZeroPolicy(a *account) policyDoc {
	cur := "arn:aws:s3:::" + a.bucket("cur").name
	return doc(
		stmt{Sid: "CostAndUsage", Effect: "Allow", Action: []string{"ce:*", "cur:DescribeReportDefinitions", "organizations:Describe*", "organizations:List*"}, Resource: "*"},
		stmt{Sid: "Inventory", Effect: "Allow", Action: []string{"ec2:Describe*", "rds:Describe*", "s3:ListAllMyBuckets"}, Resource: "*"},
		stmt{Sid: "CostReports", Effect: "Allow", Action: []string{"s3:GetObject", "s3:ListBucket"}, Resource: []string{cur, cur + "/*"}},
	)
}

// cloudZeroPolicyText is the inline policy the administrator puts on the
// CloudZero role, as the PutRolePolicy record carries it.
func cloudZeroPolicyText(a *account) string { return cloudZeroPolicy(a).text() }

func laceworkPolicy() policyDoc {
	return doc(stmt{Sid: "SecurityAudit", Effect: "Allow", Action: []string{
		"cloudtrail:Describe*", "cloudtrail:Get*", "config:Describe*", "ec2:Describe*", "iam:GenerateCredentialReport",
		"iam:Get*", "iam:List*", "kms:Describe*", "kms:GetKeyRotationStatus", "kms:List*", "lambda:List*",
		"logs:Describe*", "rds:Describe*", "s3:GetBucket*", "s3:ListAllMyBuckets", "secretsmanager:ListSecrets", "sns:List*",
	}, Resource: "*"})
}

func cloudabilityPolicy() policyDoc {
	return doc(stmt{Effect: "Allow", Action: []string{"ce:Get*", "ec2:Describe*", "rds:Describe*", "cloudwatch:GetMetricStatistics"}, Resource: "*"})
}

func ciPolicy(a *account) policyDoc {
	ci := "arn:aws:s3:::" + a.bucket("ci").name
	fn := "arn:aws:lambda:*:" + a.id + ":function:" + a.function
	return doc(
		stmt{Sid: "Deploy", Effect: "Allow", Action: []string{"cloudformation:*", "ecr:*"}, Resource: "*"},
		stmt{Sid: "Artifacts", Effect: "Allow", Action: []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"}, Resource: []string{ci, ci + "/*"}},
		stmt{Sid: "Function", Effect: "Allow", Action: []string{"lambda:GetFunction", "lambda:InvokeFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:PublishVersion"}, Resource: fn},
		stmt{Sid: "PassExecutionRole", Effect: "Allow", Action: "iam:PassRole", Resource: a.lambda.arn(a.id)},
		stmt{Sid: "WhoAmI", Effect: "Allow", Action: "sts:GetCallerIdentity", Resource: "*"},
	)
}

func ciBoundary() policyDoc {
	return doc(
		stmt{Sid: "DeployServices", Effect: "Allow", Action: []string{"cloudformation:*", "ecr:*", "lambda:*", "s3:*", "iam:PassRole", "sts:GetCallerIdentity"}, Resource: "*"},
		stmt{Sid: "NoIdentityChanges", Effect: "Deny", Action: []string{"iam:AttachRolePolicy", "iam:CreateAccessKey", "iam:CreateUser", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"}, Resource: "*"},
	)
}

func lambdaPolicy(a *account, home string) policyDoc {
	return doc(
		stmt{Sid: "Orders", Effect: "Allow", Action: []string{"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"},
			Resource: []string{"arn:aws:dynamodb:" + home + ":" + a.id + ":table/orders", "arn:aws:dynamodb:" + home + ":" + a.id + ":table/orders/index/*"}},
		stmt{Sid: "Secrets", Effect: "Allow", Action: []string{"kms:Decrypt", "secretsmanager:GetSecretValue"},
			Resource: []string{"arn:aws:kms:" + home + ":" + a.id + ":key/" + kmsKeyID(a, home, 0), "arn:aws:secretsmanager:" + home + ":" + a.id + ":secret:prod/orders-api/*"}},
		stmt{Sid: "Events", Effect: "Allow", Action: []string{"sqs:SendMessage", "sns:Publish"},
			Resource: []string{"arn:aws:sqs:" + home + ":" + a.id + ":orders-events", "arn:aws:sns:" + home + ":" + a.id + ":order-notifications"}},
	)
}

func lambdaBasicExecution() policyDoc {
	return doc(allow([]string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}, "*"))
}

func administratorAccess() policyDoc { return doc(allow("*", "*")) }

func backupPolicy(a *account) policyDoc {
	b := "arn:aws:s3:::" + a.bucket("backups").name
	return doc(allow([]string{"s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"}, []string{b, b + "/*"}))
}

func reportingPolicy(a *account) policyDoc {
	b := "arn:aws:s3:::" + a.bucket("reports").name
	return doc(
		stmt{Sid: "Reports", Effect: "Allow", Action: []string{"s3:GetObject", "s3:ListBucket"}, Resource: []string{b, b + "/*"}},
		stmt{Sid: "Costs", Effect: "Allow", Action: []string{"ce:GetCostAndUsage", "ce:GetCostForecast", "cur:DescribeReportDefinitions"}, Resource: "*"},
		stmt{Sid: "Warehouse", Effect: "Allow", Action: []string{"athena:*", "glue:GetTable", "glue:GetDatabase"}, Resource: "*"},
	)
}

// Authorization details, field order as the AWS CLI prints them.

type authzDetails struct {
	UserDetailList  []userDetail   `json:"UserDetailList"`
	GroupDetailList []groupDetail  `json:"GroupDetailList"`
	RoleDetailList  []roleDetail   `json:"RoleDetailList"`
	Policies        []policyDetail `json:"Policies"`
}

type inlinePolicy struct {
	PolicyName     string    `json:"PolicyName"`
	PolicyDocument policyDoc `json:"PolicyDocument"`
}

type attached struct {
	PolicyName string `json:"PolicyName"`
	PolicyArn  string `json:"PolicyArn"`
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type boundary struct {
	PermissionsBoundaryType string `json:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `json:"PermissionsBoundaryArn"`
}

type userDetail struct {
	Path                    string         `json:"Path"`
	UserName                string         `json:"UserName"`
	UserId                  string         `json:"UserId"`
	Arn                     string         `json:"Arn"`
	CreateDate              string         `json:"CreateDate"`
	UserPolicyList          []inlinePolicy `json:"UserPolicyList,omitempty"`
	GroupList               []string       `json:"GroupList"`
	AttachedManagedPolicies []attached     `json:"AttachedManagedPolicies"`
	Tags                    []tag          `json:"Tags"`
}

type groupDetail struct {
	Path                    string         `json:"Path"`
	GroupName               string         `json:"GroupName"`
	GroupId                 string         `json:"GroupId"`
	Arn                     string         `json:"Arn"`
	CreateDate              string         `json:"CreateDate"`
	GroupPolicyList         []inlinePolicy `json:"GroupPolicyList"`
	AttachedManagedPolicies []attached     `json:"AttachedManagedPolicies"`
}

type roleLastUsed struct {
	LastUsedDate string `json:"LastUsedDate,omitempty"`
	Region       string `json:"Region,omitempty"`
}

type roleDetail struct {
	Path                     string         `json:"Path"`
	RoleName                 string         `json:"RoleName"`
	RoleId                   string         `json:"RoleId"`
	Arn                      string         `json:"Arn"`
	CreateDate               string         `json:"CreateDate"`
	AssumeRolePolicyDocument policyDoc      `json:"AssumeRolePolicyDocument"`
	Description              string         `json:"Description,omitempty"`
	MaxSessionDuration       int            `json:"MaxSessionDuration"`
	InstanceProfileList      []any          `json:"InstanceProfileList"`
	RolePolicyList           []inlinePolicy `json:"RolePolicyList"`
	AttachedManagedPolicies  []attached     `json:"AttachedManagedPolicies"`
	PermissionsBoundary      *boundary      `json:"PermissionsBoundary,omitempty"`
	Tags                     []tag          `json:"Tags"`
	RoleLastUsed             roleLastUsed   `json:"RoleLastUsed"`
}

type policyVersion struct {
	Document         policyDoc `json:"Document"`
	VersionId        string    `json:"VersionId"`
	IsDefaultVersion bool      `json:"IsDefaultVersion"`
	CreateDate       string    `json:"CreateDate"`
}

type policyDetail struct {
	PolicyName                    string          `json:"PolicyName"`
	PolicyId                      string          `json:"PolicyId"`
	Arn                           string          `json:"Arn"`
	Path                          string          `json:"Path"`
	DefaultVersionId              string          `json:"DefaultVersionId"`
	AttachmentCount               int             `json:"AttachmentCount"`
	PermissionsBoundaryUsageCount int             `json:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool            `json:"IsAttachable"`
	CreateDate                    string          `json:"CreateDate"`
	UpdateDate                    string          `json:"UpdateDate"`
	PolicyVersionList             []policyVersion `json:"PolicyVersionList"`
}

// iamTime is how the CLI prints IAM dates.
func iamTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

// usage is what the logs show about when principals were last used.
type usage struct {
	role map[string]roleLastUsed // by role name
	key  map[string]keyUse       // by access key id
	root time.Time               // last root console sign-in
}

type keyUse struct {
	t       time.Time
	region  string
	service string
}

// authorizationDetails renders the demo account's IAM snapshot.
func authorizationDetails(w *world, a *account, u usage) ([]byte, error) {
	r := newRNG(w.seed, hashString(a.id), 0x1a3)
	home := w.regions[0]
	pid := func() string { return r.uniqueID("ANPA", a.seg) }
	var out authzDetails

	type managed struct {
		name, path, arn string
		doc             policyDoc
		created         time.Time
		versions        int
		attachments     int
		boundaryUses    int
		aws             bool
	}
	custom := func(name string, d policyDoc, created time.Time, versions, attachments, boundaryUses int) *managed {
		return &managed{name: name, path: "/", arn: "arn:aws:iam::" + a.id + ":policy/" + name, doc: d, created: created, versions: versions, attachments: attachments, boundaryUses: boundaryUses}
	}
	dd, cz, lw := a.vendors[0], a.vendors[1], a.vendors[2]
	ddPol := custom("DatadogIntegrationPolicy", datadogPolicy(), dd.role.created, 3, 1, 0)
	lwPol := custom("LaceworkAuditPolicy", laceworkPolicy(), lw.role.created, 1, 1, 0)
	cbPol := custom("CloudabilityMonitorResources", cloudabilityPolicy(), a.oldVendor.role.created, 1, 0, 0)
	ciPol := custom("CIDeployPolicy", ciPolicy(a), a.ci.created, 4, 1, 0)
	ciBnd := custom("CIDeployBoundary", ciBoundary(), a.ci.created, 1, 0, 1)
	repPol := custom("ReportingReadOnly", reportingPolicy(a), a.reporting.created, 2, 1, 0)
	admin := &managed{name: "AdministratorAccess", path: "/", arn: "arn:aws:iam::aws:policy/AdministratorAccess", doc: administratorAccess(),
		created: time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC), versions: 1, attachments: 1, aws: true}
	basic := &managed{name: "AWSLambdaBasicExecutionRole", path: "/service-role/", arn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", doc: lambdaBasicExecution(),
		created: time.Date(2015, 4, 9, 15, 3, 43, 0, time.UTC), versions: 1, attachments: 1, aws: true}
	att := func(m *managed) attached { return attached{PolicyName: m.name, PolicyArn: m.arn} }

	// Users and groups.
	group := groupDetail{Path: "/", GroupName: "reporting", GroupId: r.uniqueID("AGPA", a.seg), Arn: "arn:aws:iam::" + a.id + ":group/reporting",
		CreateDate: iamTime(a.reporting.created.Add(-time.Hour)), GroupPolicyList: []inlinePolicy{}, AttachedManagedPolicies: []attached{att(repPol)}}
	out.GroupDetailList = []groupDetail{group}
	out.UserDetailList = []userDetail{
		{Path: "/", UserName: a.backup.name, UserId: a.backup.id, Arn: "arn:aws:iam::" + a.id + ":user/" + a.backup.name, CreateDate: iamTime(a.backup.created),
			UserPolicyList: []inlinePolicy{{PolicyName: "backup-writer", PolicyDocument: backupPolicy(a)}},
			GroupList:      []string{}, AttachedManagedPolicies: []attached{}, Tags: []tag{{Key: "owner", Value: "platform-team"}}},
		{Path: "/", UserName: a.reporting.name, UserId: a.reporting.id, Arn: "arn:aws:iam::" + a.id + ":user/" + a.reporting.name, CreateDate: iamTime(a.reporting.created),
			GroupList: []string{"reporting"}, AttachedManagedPolicies: []attached{}, Tags: []tag{{Key: "owner", Value: "finance"}}},
	}

	// Roles.
	last := func(name string) roleLastUsed { return u.role[name] }
	role := func(ro *role, trust policyDoc, desc string) roleDetail {
		return roleDetail{Path: ro.path, RoleName: ro.name, RoleId: ro.id, Arn: ro.arn(a.id), CreateDate: iamTime(ro.created),
			AssumeRolePolicyDocument: trust, Description: desc, MaxSessionDuration: 3600, InstanceProfileList: []any{},
			RolePolicyList: []inlinePolicy{}, AttachedManagedPolicies: []attached{}, Tags: []tag{}, RoleLastUsed: last(ro.name)}
	}
	ddRole := role(dd.role, trustAccount(dd.account, dd.externalID), "Datadog AWS integration")
	ddRole.AttachedManagedPolicies = []attached{att(ddPol)}
	ddRole.Tags = []tag{{Key: "vendor", Value: "datadog"}}
	czRole := role(cz.role, trustAccount(cz.account, ""), "CloudZero cost ingestion")
	czRole.RolePolicyList = []inlinePolicy{{PolicyName: "CloudZeroCostAccess", PolicyDocument: cloudZeroPolicy(a)}}
	lwRole := role(lw.role, trustAccount(lw.account, lw.externalID), "Lacework security audit")
	lwRole.AttachedManagedPolicies = []attached{att(lwPol)}
	lwRole.Tags = []tag{{Key: "vendor", Value: "lacework"}}
	ciTrust := doc(stmt{Effect: "Allow", Principal: map[string]string{"Federated": a.oidc}, Action: "sts:AssumeRoleWithWebIdentity",
		Condition: map[string]map[string]any{
			"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
			"StringLike":   {"token.actions.githubusercontent.com:sub": a.ciSub},
		}})
	ciRole := role(a.ci, ciTrust, "GitHub Actions deployments of "+a.alias+"/web-app")
	ciRole.AttachedManagedPolicies = []attached{att(ciPol)}
	ciRole.PermissionsBoundary = &boundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: ciBnd.arn}
	lamTrust := doc(stmt{Effect: "Allow", Principal: map[string]string{"Service": "lambda.amazonaws.com"}, Action: "sts:AssumeRole"})
	lamRole := role(a.lambda, lamTrust, "")
	lamRole.AttachedManagedPolicies = []attached{att(basic)}
	lamRole.RolePolicyList = []inlinePolicy{{PolicyName: "orders-api-data", PolicyDocument: lambdaPolicy(a, home)}}
	ssoTrust := doc(stmt{Effect: "Allow", Principal: map[string]string{"Federated": a.ssoIdP}, Action: []string{"sts:AssumeRoleWithSAML", "sts:TagSession"},
		Condition: map[string]map[string]any{"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}})
	ssoRole := role(a.ssoRole, ssoTrust, "")
	ssoRole.MaxSessionDuration = 43200
	ssoRole.AttachedManagedPolicies = []attached{att(admin)}
	out.RoleDetailList = []roleDetail{ssoRole, ciRole, czRole, ddRole, lwRole, lamRole}

	// Managed policies: customer managed ones, then the AWS managed ones
	// that are attached.
	for _, m := range []*managed{admin, basic, ciBnd, ciPol, cbPol, ddPol, lwPol, repPol} {
		created := m.created
		v := "v" + itoa(int64(m.versions))
		out.Policies = append(out.Policies, policyDetail{
			PolicyName: m.name, PolicyId: pid(), Arn: m.arn, Path: m.path, DefaultVersionId: v,
			AttachmentCount: m.attachments, PermissionsBoundaryUsageCount: m.boundaryUses, IsAttachable: true,
			CreateDate: iamTime(created), UpdateDate: iamTime(created.AddDate(0, 0, 30*(m.versions-1))),
			PolicyVersionList: []policyVersion{{Document: m.doc, VersionId: v, IsDefaultVersion: true, CreateDate: iamTime(created.AddDate(0, 0, 30*(m.versions-1)))}},
		})
	}
	b, err := json.MarshalIndent(out, "", "    ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
