package catalog_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/internal/shareddata"
)

type mapCase struct {
	name     string
	source   string
	event    string
	params   []string
	by       catalog.MappedBy
	needed   []string
	possible []string
}

func runMapCases(t *testing.T, c *catalog.Catalog, cases []mapCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			m := c.Map(tt.source, tt.event, tt.params)
			if m.By != tt.by {
				t.Errorf("mapped by %v, want %v", m.By, tt.by)
			}
			if got := m.Actions(); !slices.Equal(got, tt.needed) {
				t.Errorf("needed %v, want %v", got, tt.needed)
			}
			if got := m.PossibleActions(); !slices.Equal(got, tt.possible) {
				t.Errorf("possible %v, want %v", got, tt.possible)
			}
			if m.Mapped() != (tt.by != catalog.Unmapped) {
				t.Errorf("Mapped() = %v", m.Mapped())
			}
			for _, n := range m.Possible {
				if n.Reason == "" {
					t.Errorf("%s is possible without a reason", n.Action)
				}
			}
		})
	}
}

// TestMapClassify checks the rule that splits official operation data into
// always-needed and conditional actions, on a fixture catalog.
func TestMapClassify(t *testing.T) {
	c, err := catalog.LoadServiceReference(filepath.Join("testdata", "servicereference", "nested"))
	if err != nil {
		t.Fatal(err)
	}
	runMapCases(t, c, []mapCase{
		// The action named like the operation is needed, the rest conditional.
		{name: "own name", source: "demo.amazonaws.com", event: "Frob", by: catalog.ByOperations,
			needed: []string{"demo:Frob"}, possible: []string{"demo:Extra"}},
		// No action has the operation's name and two of its own service are
		// listed: which one depends on the request.
		{name: "several own", source: "demo.amazonaws.com", event: "Batch", by: catalog.ByOperations,
			possible: []string{"demo:Alpha", "demo:Beta"}},
		// The only action of its own service that no rule claims (TagThing is
		// a tagging action) is needed.
		{name: "single own", source: "demo.amazonaws.com", event: "Renamed", by: catalog.ByOperations,
			needed: []string{"demo:Gamma"}, possible: []string{"demo:TagThing"}},
		{name: "single own, tags", source: "demo.amazonaws.com", event: "Renamed", params: []string{"tags"}, by: catalog.ByOperations,
			needed: []string{"demo:Gamma", "demo:TagThing"}},
		{name: "other services", source: "demo.amazonaws.com", event: "Cross", by: catalog.ByOperations,
			needed: []string{"demo:Cross"}, possible: []string{"iam:PassRole", "s3:GetObject"}},
		{name: "pass role", source: "demo.amazonaws.com", event: "Cross", params: []string{"roleArn"}, by: catalog.ByOperations,
			needed: []string{"demo:Cross", "iam:PassRole"}, possible: []string{"s3:GetObject"}},
		// An operation with no authorized actions falls through to names.
		{name: "empty operation", source: "demo.amazonaws.com", event: "Empty", by: catalog.Unmapped},
		// The exception table picks the needed action among those listed.
		{name: "ListObjects", source: "s3.amazonaws.com", event: "ListObjects", by: catalog.ByOperations,
			needed: []string{"s3:ListBucket"}, possible: []string{"s3-object-lambda:ListBucket", "s3:GetObjectAcl"}},
		{name: "GetObject", source: "s3.amazonaws.com", event: "GetObject", by: catalog.ByOperations,
			needed: []string{"s3:GetObject"}, possible: []string{"s3-object-lambda:GetObject", "s3:GetObjectRetention", "s3:GetObjectVersion"}},
		// A versionId replaces s3:GetObject by s3:GetObjectVersion.
		{name: "GetObject versionId", source: "s3.amazonaws.com", event: "GetObject", params: []string{"versionId"}, by: catalog.ByOperations,
			needed: []string{"s3:GetObjectVersion"}, possible: []string{"s3-object-lambda:GetObject", "s3:GetObjectRetention"}},
		{name: "HeadObject versionid any case", source: "s3.amazonaws.com", event: "HeadObject", params: []string{"VERSIONID"}, by: catalog.ByOperations,
			needed: []string{"s3:GetObjectVersion"}},
		{name: "PutObject acl", source: "s3.amazonaws.com", event: "PutObject", params: []string{"x-amz-acl"}, by: catalog.ByOperations,
			needed: []string{"s3:PutObject", "s3:PutObjectAcl"}, possible: []string{"s3:PutObjectTagging"}},
		{name: "CopyObject", source: "s3.amazonaws.com", event: "CopyObject", by: catalog.ByOperations,
			needed: []string{"s3:GetObject", "s3:PutObject"}, possible: []string{"s3:GetObjectVersion", "s3:PutObjectAcl"}},
		{name: "CreateBucket grant", source: "s3.amazonaws.com", event: "CreateBucket", params: []string{"x-amz-grant-read"}, by: catalog.ByOperations,
			needed: []string{"s3:CreateBucket", "s3:PutBucketAcl"}},
		{name: "AssumeRole", source: "sts.amazonaws.com", event: "AssumeRole", by: catalog.ByOperations,
			needed: []string{"sts:AssumeRole"}, possible: []string{"sts:SetSourceIdentity", "sts:TagSession"}},
		{name: "AssumeRole tags and source identity", source: "sts.amazonaws.com", event: "AssumeRole",
			params: []string{"sourceIdentity", "transitiveTagKeys", "unrelated"}, by: catalog.ByOperations,
			needed: []string{"sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"}},
		// No-permission wins over the official data.
		{name: "GetCallerIdentity", source: "sts.amazonaws.com", event: "GetCallerIdentity", by: catalog.NoPermission},
		// An operation without data falls to prefix:EventName, then to the
		// exception table.
		{name: "by name", source: "iam.amazonaws.com", event: "PassRole", by: catalog.ByName, needed: []string{"iam:PassRole"}},
		{name: "RenameObject", source: "s3.amazonaws.com", event: "RenameObject", by: catalog.Unmapped},
		// An exception whose actions this catalog lacks is unmapped.
		{name: "exception unknown here", source: "lambda.amazonaws.com", event: "Invoke", by: catalog.Unmapped},
		{name: "unknown service", source: "nosuch.amazonaws.com", event: "GetObject", by: catalog.Unmapped},
		{name: "empty", by: catalog.Unmapped},
	})
}

// TestMapEmbedded checks the mapping without operation data: exact names,
// the exception table, no-permission events.
func TestMapEmbedded(t *testing.T) {
	runMapCases(t, embedded(t), []mapCase{
		// GetObject may need the object's tagging, retention and legal hold
		// actions (AWS's Operations data lists them), and the Object Lambda
		// action through an Object Lambda access point.
		{name: "exact", source: "s3.amazonaws.com", event: "GetObject", by: catalog.ByName,
			needed: []string{"s3:GetObject"}, possible: []string{"s3-object-lambda:GetObject", "s3:GetObjectLegalHold", "s3:GetObjectRetention", "s3:GetObjectTagging", "s3:GetObjectVersion"}},
		{name: "versionId", source: "s3.amazonaws.com", event: "GetObject", params: []string{"versionId"}, by: catalog.ByName,
			needed: []string{"s3:GetObjectVersion"}, possible: []string{"s3-object-lambda:GetObject", "s3:GetObjectLegalHold", "s3:GetObjectRetention", "s3:GetObjectTagging"}},
		{name: "DeleteObject versionId", source: "s3.amazonaws.com", event: "DeleteObject", params: []string{"versionId"}, by: catalog.ByName,
			needed: []string{"s3:DeleteObjectVersion"}, possible: []string{"s3-object-lambda:DeleteObject", "s3:BypassGovernanceRetention"}},
		{name: "ListObjects", source: "s3.amazonaws.com", event: "ListObjects", by: catalog.ByException, needed: []string{"s3:ListBucket"},
			possible: []string{"s3-object-lambda:ListBucket", "s3:GetObjectAcl"}},
		{name: "ListObjectsV2", source: "s3.amazonaws.com", event: "ListObjectsV2", by: catalog.ByException, needed: []string{"s3:ListBucket"},
			possible: []string{"s3-object-lambda:ListBucket"}},
		{name: "ListObjectVersions", source: "s3.amazonaws.com", event: "ListObjectVersions", by: catalog.ByException, needed: []string{"s3:ListBucketVersions"},
			possible: []string{"s3-object-lambda:ListBucketVersions"}},
		{name: "HeadObject", source: "s3.amazonaws.com", event: "HeadObject", by: catalog.ByException,
			needed: []string{"s3:GetObject"}, possible: []string{"s3-object-lambda:GetObject", "s3:GetObjectVersion"}},
		{name: "HeadBucket", source: "s3.amazonaws.com", event: "HeadBucket", by: catalog.ByException, needed: []string{"s3:ListBucket"},
			possible: []string{"s3-object-lambda:ListBucket"}},
		{name: "ListBuckets", source: "s3.amazonaws.com", event: "ListBuckets", by: catalog.ByException, needed: []string{"s3:ListAllMyBuckets"}},
		{name: "CopyObject", source: "s3.amazonaws.com", event: "CopyObject", params: []string{"x-amz-tagging"}, by: catalog.ByException,
			needed:   []string{"s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"},
			possible: []string{"s3-object-lambda:GetObject", "s3-object-lambda:PutObject", "s3:GetObjectVersion", "s3:PutObjectAcl", "s3:PutObjectLegalHold", "s3:PutObjectRetention"}},
		{name: "DeleteBucketEncryption", source: "s3.amazonaws.com", event: "DeleteBucketEncryption", by: catalog.ByException,
			needed: []string{"s3:PutEncryptionConfiguration"}},
		{name: "lambda versioned", source: "lambda.amazonaws.com", event: "GetFunction20150331v2", by: catalog.ByName,
			needed: []string{"lambda:GetFunction"}, possible: []string{"lambda:ListTags"}},
		{name: "lambda versioned no v", source: "lambda.amazonaws.com", event: "ListFunctions20150331", by: catalog.ByName,
			needed: []string{"lambda:ListFunctions"}},
		{name: "lambda CreateFunction role", source: "lambda.amazonaws.com", event: "CreateFunction20150331", params: []string{"role"}, by: catalog.ByName,
			needed: []string{"iam:PassRole", "lambda:CreateFunction"}, possible: []string{"lambda:GetLayerVersion", "lambda:PassCapacityProvider", "lambda:TagResource"}},
		{name: "lambda Invoke", source: "lambda.amazonaws.com", event: "Invoke", by: catalog.ByException, needed: []string{"lambda:InvokeFunction"}},
		{name: "monitoring host", source: "monitoring.amazonaws.com", event: "DescribeAlarms", by: catalog.ByName,
			needed: []string{"cloudwatch:DescribeAlarms"}},
		{name: "email host", source: "email.amazonaws.com", event: "SendEmail", by: catalog.ByName, needed: []string{"ses:SendEmail"}},
		{name: "ConsoleLogin", source: "signin.amazonaws.com", event: "ConsoleLogin", by: catalog.NoPermission},
		{name: "GetCallerIdentity", source: "sts.amazonaws.com", event: "GetCallerIdentity", by: catalog.NoPermission},
		{name: "GetSessionToken", source: "sts.amazonaws.com", event: "GetSessionToken", by: catalog.NoPermission},
		{name: "KMS rotation service event", source: "kms.amazonaws.com", event: "RotateKey", by: catalog.NoPermission},
		{name: "KMS ReEncrypt", source: "kms.amazonaws.com", event: "ReEncrypt", by: catalog.ByException,
			needed: []string{"kms:ReEncryptFrom", "kms:ReEncryptTo"}},
		{name: "KMS Decrypt", source: "kms.amazonaws.com", event: "Decrypt", by: catalog.ByName, needed: []string{"kms:Decrypt"}},
		{name: "AssumeRole", source: "sts.amazonaws.com", event: "AssumeRole", params: []string{"sourceIdentity"}, by: catalog.ByName,
			needed: []string{"sts:AssumeRole", "sts:SetSourceIdentity"}, possible: []string{"sts:SetContext", "sts:TagSession"}},
		{name: "RunInstances", source: "ec2.amazonaws.com", event: "RunInstances", params: []string{"tagSpecificationSet", "iamInstanceProfile"}, by: catalog.ByName,
			needed: []string{"ec2:CreateTags", "ec2:RunInstances", "iam:PassRole"}},
		// ec2:CreateTags follows tagSpecificationSet on any EC2 call, and
		// is not "possible" without it.
		{name: "CreateVolume tagged", source: "ec2.amazonaws.com", event: "CreateVolume", params: []string{"tagSpecificationSet"}, by: catalog.ByName,
			needed: []string{"ec2:CreateTags", "ec2:CreateVolume"}},
		{name: "CreateVolume", source: "ec2.amazonaws.com", event: "CreateVolume", by: catalog.ByName, needed: []string{"ec2:CreateVolume"}},
		{name: "API Gateway verb", source: "apigateway.amazonaws.com", event: "GetRestApis", by: catalog.ByException, needed: []string{"apigateway:GET"}},
		{name: "API Gateway delete", source: "apigateway.amazonaws.com", event: "DeleteStage", by: catalog.ByException, needed: []string{"apigateway:DELETE"}},
		{name: "PartiQL", source: "dynamodb.amazonaws.com", event: "ExecuteStatement", by: catalog.ByException,
			possible: []string{"dynamodb:PartiQLDelete", "dynamodb:PartiQLInsert", "dynamodb:PartiQLSelect", "dynamodb:PartiQLUpdate"}},
		{name: "SQS batch", source: "sqs.amazonaws.com", event: "SendMessageBatch", by: catalog.ByException, needed: []string{"sqs:SendMessage"}},
		{name: "case of event name", source: "S3.AMAZONAWS.COM", event: "getobject", by: catalog.ByName,
			needed: []string{"s3:GetObject"}, possible: []string{"s3-object-lambda:GetObject", "s3:GetObjectLegalHold", "s3:GetObjectRetention", "s3:GetObjectTagging", "s3:GetObjectVersion"}},
		// Generic rules: tag on create with Tag<Resource>, iam:PassRole for
		// a write call with a role, a final snapshot from its parameter.
		{name: "CreateLogGroup tags", source: "logs.amazonaws.com", event: "CreateLogGroup", params: []string{"tags"}, by: catalog.ByName,
			needed: []string{"logs:CreateLogGroup", "logs:TagLogGroup", "logs:TagResource"}},
		{name: "CreateLogGroup", source: "logs.amazonaws.com", event: "CreateLogGroup", by: catalog.ByName, needed: []string{"logs:CreateLogGroup"}},
		{name: "CreateVirtualMFADevice tags", source: "iam.amazonaws.com", event: "CreateVirtualMFADevice", params: []string{"tags"}, by: catalog.ByName,
			needed: []string{"iam:CreateVirtualMFADevice", "iam:TagMFADevice"}},
		{name: "CreateTrail role", source: "cloudtrail.amazonaws.com", event: "CreateTrail", params: []string{"cloudWatchLogsRoleArn"}, by: catalog.ByName,
			needed: []string{"cloudtrail:CreateTrail", "iam:PassRole"}},
		{name: "DeleteDBCluster final snapshot", source: "rds.amazonaws.com", event: "DeleteDBCluster", params: []string{"finalDBSnapshotIdentifier"}, by: catalog.ByName,
			needed: []string{"rds:CreateDBClusterSnapshot", "rds:DeleteDBCluster"}, possible: []string{"rds:DeleteDBInstance"}},
		// Never guessed.
		{name: "made-up name", source: "iam.amazonaws.com", event: "NotCreateUser", by: catalog.Unmapped},
		{name: "wrong service", source: "ec2.amazonaws.com", event: "PutBucketVersioning", by: catalog.Unmapped},
		{name: "console internal", source: "s3.amazonaws.com", event: "GetStorageLensDashboardDataInternal", by: catalog.Unmapped},
	})
}

// TestMapOfficial checks the same events against AWS's real operation
// data: the classification must agree with the exception table's view.
func TestMapOfficial(t *testing.T) {
	c := sharedReference(t)
	runMapCases(t, c, []mapCase{
		{name: "ListObjects", source: "s3.amazonaws.com", event: "ListObjects", by: catalog.ByOperations,
			needed: []string{"s3:ListBucket"}, possible: []string{"s3-object-lambda:ListBucket", "s3:GetObjectAcl"}},
		{name: "AssumeRole", source: "sts.amazonaws.com", event: "AssumeRole", params: []string{"tags"}, by: catalog.ByOperations,
			needed: []string{"sts:AssumeRole", "sts:TagSession"}, possible: []string{"sts:SetContext", "sts:SetSourceIdentity"}},
		{name: "GetObject versionId", source: "s3.amazonaws.com", event: "GetObject", params: []string{"versionId"}, by: catalog.ByOperations,
			needed:   []string{"s3:GetObjectVersion"},
			possible: []string{"s3-object-lambda:GetObject", "s3:GetObjectLegalHold", "s3:GetObjectRetention", "s3:GetObjectTagging"}},
		{name: "Invoke", source: "lambda.amazonaws.com", event: "Invoke", by: catalog.ByOperations, needed: []string{"lambda:InvokeFunction"}},
		{name: "ReEncrypt", source: "kms.amazonaws.com", event: "ReEncrypt", by: catalog.ByOperations,
			needed: []string{"kms:ReEncryptFrom", "kms:ReEncryptTo"}},
		{name: "GetBucketLifecycle", source: "s3.amazonaws.com", event: "GetBucketLifecycle", by: catalog.ByOperations,
			needed: []string{"s3:GetLifecycleConfiguration"}},
		{name: "CreateRole", source: "iam.amazonaws.com", event: "CreateRole", by: catalog.ByOperations,
			needed: []string{"iam:CreateRole"}, possible: []string{"iam:TagRole"}},
		{name: "RunInstances", source: "ec2.amazonaws.com", event: "RunInstances", params: []string{"iamInstanceProfile"}, by: catalog.ByOperations,
			needed: []string{"ec2:RunInstances", "iam:PassRole"}, possible: []string{"ec2:CreateTags"}},
		{name: "BatchGetSecretValue", source: "secretsmanager.amazonaws.com", event: "BatchGetSecretValue", by: catalog.ByOperations,
			needed:   []string{"secretsmanager:BatchGetSecretValue", "secretsmanager:GetSecretValue"},
			possible: []string{"secretsmanager:ListSecrets"}},
		{name: "API Gateway", source: "apigateway.amazonaws.com", event: "CreateRestApi", by: catalog.ByOperations,
			needed: []string{"apigateway:POST"}, possible: []string{"apigateway:PUT", "apigateway:UpdateRestApiPolicy"}},
		{name: "GetCallerIdentity", source: "sts.amazonaws.com", event: "GetCallerIdentity", by: catalog.NoPermission},
	})
}

func TestMapReasons(t *testing.T) {
	c := embedded(t)
	m := c.Map("s3.amazonaws.com", "GetObject", []string{"versionId"})
	if len(m.Needed) != 1 || m.Needed[0].Replaces != "s3:GetObject" || m.Needed[0].Params[0] != "versionId" {
		t.Errorf("GetObject with versionId: %+v", m.Needed)
	}
	m = c.Map("s3.amazonaws.com", "CopyObject", nil)
	if !strings.Contains(m.Note, "source") {
		t.Errorf("CopyObject note %q", m.Note)
	}
	m = c.Map("signin.amazonaws.com", "ConsoleLogin", nil)
	if m.Note == "" || len(m.Needed) != 0 {
		t.Errorf("ConsoleLogin: %+v", m)
	}
	if m.Prefix != "signin" || m.Operation != "ConsoleLogin" {
		t.Errorf("prefix %q operation %q", m.Prefix, m.Operation)
	}
	// A caller may change what Map returns without changing the tables.
	m = c.Map("ec2.amazonaws.com", "RunInstances", nil) // iam:PassRole possible
	for i := range m.Possible {
		m.Possible[i].Params[0] = "changed"
	}
	if again := c.Map("ec2.amazonaws.com", "RunInstances", nil); slices.ContainsFunc(again.Possible, func(n catalog.Need) bool { return n.Params[0] == "changed" }) {
		t.Error("Map returned parameters shared with its tables")
	}
	m = c.Map("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", nil)
	if m.Operation != "UpdateFunctionCode" {
		t.Errorf("operation %q, want UpdateFunctionCode", m.Operation)
	}
}

func BenchmarkMap(b *testing.B) {
	c := embedded(b)
	for _, ev := range []struct{ name, source, event string }{
		{"exact", "s3.amazonaws.com", "GetObject"},
		{"exception", "s3.amazonaws.com", "ListObjects"},
		{"lambda", "lambda.amazonaws.com", "GetFunction20150331v2"},
		{"unmapped", "iam.amazonaws.com", "NotCreateUser"},
	} {
		b.Run(ev.name, func(b *testing.B) {
			b.ReportAllocs()
			params := []string{"versionId"}
			for b.Loop() {
				_ = c.Map(ev.source, ev.event, params)
			}
		})
	}
	if _, ok := shareddata.Find(); ok {
		sr := sharedReference(b)
		b.Run("operations", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = sr.Map("s3.amazonaws.com", "GetObject", nil)
			}
		})
	}
}
