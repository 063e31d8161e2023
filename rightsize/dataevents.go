package rightsize

import (
	"slices"
	"strings"

	"github.com/tailor-sec/tailor/catalog"
)

// dataEventRule names the actions whose calls CloudTrail logs as data
// events of one event source: a trail logs them only when configured to,
// so their absence from logs without that source's data events proves
// nothing. From the CloudTrail User Guide, "Logging data events"
// (resource types AWS::S3::Object, AWS::Lambda::Function,
// AWS::DynamoDB::Table, AWS::SNS::Topic, AWS::SQS::Queue,
// AWS::Kinesis::Stream, AWS::S3ObjectLambda::AccessPoint,
// AWS::EC2::Snapshot for the EBS direct APIs).
type dataEventRule struct {
	source string // event source of the data events
	prefix string // IAM service prefix of the actions
	match  func(*catalog.Action) bool
}

func named(names ...string) func(*catalog.Action) bool {
	return func(a *catalog.Action) bool {
		return slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, a.Name) })
	}
}

// dataEventRules is read-only.
var dataEventRules = []dataEventRule{
	// S3 object-level operations, and the bucket listings that are logged
	// with them.
	{"s3.amazonaws.com", "s3", func(a *catalog.Action) bool {
		for _, r := range a.Resources {
			if r.Name == "object" || r.Name == "accesspointobject" {
				return true
			}
		}
		return named("ListBucket", "ListBucketVersions", "ListBucketMultipartUploads", "ListMultipartUploadParts")(a)
	}},
	{"lambda.amazonaws.com", "lambda", named("InvokeFunction", "InvokeAsync")},
	{"dynamodb.amazonaws.com", "dynamodb", named("GetItem", "BatchGetItem", "PutItem", "UpdateItem", "DeleteItem",
		"BatchWriteItem", "Query", "Scan", "ConditionCheckItem", "PartiQLSelect", "PartiQLInsert", "PartiQLUpdate",
		"PartiQLDelete", "GetRecords", "GetShardIterator")},
	{"sns.amazonaws.com", "sns", named("Publish")},
	{"sqs.amazonaws.com", "sqs", named("SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility")},
	{"kinesis.amazonaws.com", "kinesis", named("PutRecord", "PutRecords", "GetRecords", "GetShardIterator", "SubscribeToShard")},
	{"s3-object-lambda.amazonaws.com", "s3-object-lambda", func(*catalog.Action) bool { return true }},
	{"ebs.amazonaws.com", "ebs", named("GetSnapshotBlock", "PutSnapshotBlock", "ListChangedBlocks", "ListSnapshotBlocks")},
}
