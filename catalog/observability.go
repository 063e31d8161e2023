package catalog

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Observability says whether, and how, CloudTrail shows the use of an
// action. A rightsizer may treat the absence of an action from the logs as
// evidence of disuse only for ManagementEvent actions, and for DataEvent
// actions when the logs hold that event source's data events.
type Observability uint8

// The observability classes. The zero value is UnknownObservability, the
// safe answer: nothing can be concluded from the logs.
const (
	// UnknownObservability: no current operation data says whether an API
	// operation needs the action (a service with no SDK module, or an
	// action newer than the operation data).
	UnknownObservability Observability = iota
	// ManagementEvent: a call that needs the action is logged as a
	// management event, which every trail records by default.
	ManagementEvent
	// DataEvent: a call that needs the action is logged only as a data
	// event (Action.DataEvent says which); trails record those only when
	// configured to.
	DataEvent
	// NeverLogged: CloudTrail does not record the calls that need the
	// action (the SSM Agent's message channels, API Gateway invocations,
	// OpenSearch and CloudSearch domain requests, the AWS IoT data plane,
	// Lex runtime calls).
	NeverLogged
	// PermissionOnly: the action authorizes no API operation of its own
	// (iam:PassRole, console-only actions), so no event names it.
	PermissionOnly
)

var observabilityNames = [...]string{"unknown", "management", "data-event", "never-logged", "permission-only"}

// String returns "unknown", "management", "data-event", "never-logged" or
// "permission-only".
func (o Observability) String() string {
	if int(o) < len(observabilityNames) {
		return observabilityNames[o]
	}
	return "Observability(" + strconv.Itoa(int(o)) + ")"
}

// ParseObservability parses the names String returns.
func ParseObservability(s string) (Observability, bool) {
	i := slices.Index(observabilityNames[:], s)
	return Observability(max(i, 0)), i >= 0
}

// ShownBy reports whether the logs can show a use of an action of class o:
// always for ManagementEvent, for DataEvent only when the logs hold data
// events (hasDataEvents), never for the other classes.
func (o Observability) ShownBy(hasDataEvents bool) bool {
	return o == ManagementEvent || o == DataEvent && hasDataEvents
}

// DataEventType is the CloudTrail data event type a DataEvent action's calls
// are logged as.
type DataEventType struct {
	// EventSource is the eventSource of the records ("s3.amazonaws.com").
	EventSource string
	// ResourceType is the resources.type value that selects them in an
	// advanced event selector ("AWS::S3::Object").
	ResourceType string
}

// observabilityRule is one row of the tables below: the actions of one
// service prefix that CloudTrail logs only as data events, or never.
type observabilityRule struct {
	prefix string
	// names are the actions the documentation names; nil means every
	// action of the prefix. Named actions are classed so whatever the
	// operation data says.
	names []string
	// match, when set instead of names, picks actions that an operation
	// needs (it never turns a permission-only action into a logged one).
	match func(*Action) bool
	data  DataEventType // for data event rules
	why   string
	// source is the AWS document (title and URL) that says so.
	source string
}

func (r *observabilityRule) covers(a *Action, observable bool) bool {
	if r.prefix != a.Service {
		return false
	}
	switch {
	case r.match != nil:
		return observable && r.match(a)
	case r.names == nil:
		return true
	}
	return slices.ContainsFunc(r.names, func(n string) bool { return strings.EqualFold(n, a.Name) })
}

func named(names ...string) []string { return names }

// Sources of the tables: the AWS documents each row rests on, title and
// address. Read in 2026 (the services' CloudTrail pages and the CloudTrail
// User Guide's table of data event types).
const (
	srcDataEvents   = `AWS CloudTrail User Guide, "Understanding CloudTrail events", table "Data events supported by AWS CloudTrail", https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html`
	srcS3           = `Amazon S3 User Guide, "Logging Amazon S3 API calls using AWS CloudTrail" (data events), https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html#cloudtrail-data-events`
	srcS3Vectors    = `Amazon S3 User Guide, "Logging with AWS CloudTrail for S3 Vectors" (data events: PutVectors, GetVectors, DeleteVectors, ListVectors, QueryVectors), https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-logging.html`
	srcDynamoDB     = `Amazon DynamoDB Developer Guide, "DynamoDB data plane events in CloudTrail", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/logging-using-cloudtrail.html#ddb-data-plane-events-in-cloudtrail`
	srcSQS          = `Amazon SQS Developer Guide, "Amazon SQS data events in CloudTrail", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-logging-using-cloudtrail.html#sqs-data-events-in-cloud-trail`
	srcSSM          = `AWS Systems Manager User Guide, "Logging AWS Systems Manager API calls with AWS CloudTrail" (data events: only CreateControlChannel, OpenControlChannel, RequestManagedInstanceRoleToken), https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-cloudtrail-logs.html#cloudtrail-data-events`
	srcSSMAgent     = `AWS Systems Manager User Guide, "Reference: ec2messages, ssmmessages, and other API operations", https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-setting-up-messageAPIs.html`
	srcAPIGateway   = `Amazon API Gateway Developer Guide, "Logging calls to Amazon API Gateway APIs with AWS CloudTrail" (CloudTrail captures calls to the API Gateway service APIs; requests to your APIs go to execution and access logs), https://docs.aws.amazon.com/apigateway/latest/developerguide/cloudtrail.html`
	srcOpenSearch   = `Amazon OpenSearch Service Developer Guide, "Monitoring Amazon OpenSearch Service API calls with AWS CloudTrail" ("CloudTrail doesn't capture calls to the OpenSearch APIs, such as _search and _bulk"), https://docs.aws.amazon.com/opensearch-service/latest/developerguide/managedomains-cloudtrailauditing.html`
	srcCloudSearch  = `Amazon CloudSearch Developer Guide, "Logging Amazon CloudSearch Configuration API Calls with AWS CloudTrail" ("CloudTrail only captures calls to the configuration API ... not the document service API nor the search API"), https://docs.aws.amazon.com/cloudsearch/latest/developerguide/logging-config-api-calls.html`
	srcMediaStore   = `AWS Elemental MediaStore User Guide, "AWS Elemental MediaStore information in CloudTrail" (the operations logged are the container operations only; object access goes to the container's access logs in CloudWatch Logs), https://docs.aws.amazon.com/mediastore/latest/ug/monitoring-service-info-in-cloudtrail.html`
	srcLexV1        = `Amazon Lex V1 Developer Guide, "Monitoring Amazon Lex API Calls with AWS CloudTrail Logs" (only model building operations; "PostContent and PostText are not logged"), https://docs.aws.amazon.com/lex/latest/dg/monitoring-aws-lex-cloudtrail.html`
	srcLexV2        = `Amazon Lex V2 Developer Guide, "Viewing events with AWS CloudTrail for Lex V2" (logging for the Model Building API V2 actions only), https://docs.aws.amazon.com/lexv2/latest/dg/logging-using-cloudtrail.html`
	srcIoT          = `AWS IoT Developer Guide, "Logging AWS IoT API calls using AWS CloudTrail" ("AWS IoT data plane actions (device side) are not logged by CloudTrail"; "calls such as ListThings and ListTopicRules do not" leave entries), https://docs.aws.amazon.com/iot/latest/developerguide/iot-using-cloudtrail.html`
	srcQLDB         = `Amazon QLDB Developer Guide, "Logging Amazon QLDB API calls with AWS CloudTrail" (CloudTrail captures the resource management API; the QLDB Session API, SendCommand, runs the statements), https://docs.aws.amazon.com/qldb/latest/developerguide/logging-using-cloudtrail.html`
	srcTimestream   = `Amazon Timestream Developer Guide, "Logging Timestream for LiveAnalytics API calls with AWS CloudTrail" (events for management and Query operations, "but does not generate events for WriteRecords and DescribeEndpoints"; Query with resource types AWS::Timestream::Database and Table), https://docs.aws.amazon.com/timestream/latest/developerguide/logging-using-cloudtrail.html`
	srcSES          = `Amazon SES Developer Guide, "Logging Amazon SES API calls with AWS CloudTrail" (data events: SendEmail, SendRawEmail, SendTemplatedEmail, SendBulkTemplatedEmail, v2 SendEmail and SendBulkEmail; "Email sending activity via SES SMTP Interface is not logged"), https://docs.aws.amazon.com/ses/latest/dg/logging-using-cloudtrail.html#ses-data-events-cloudtrail`
	srcKVS          = `Amazon Kinesis Video Streams Developer Guide, "Log Amazon Kinesis Video Streams API calls with AWS CloudTrail" (the management events are the stream control operations), https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/monitoring-cloudtrail.html`
	srcKVSWebRTC    = `Amazon Kinesis Video Streams with WebRTC Developer Guide, "Log API calls with AWS CloudTrail" (the management events are the signaling channel control operations), https://docs.aws.amazon.com/kinesisvideostreams-webrtc-dg/latest/devguide/kvswebrtc-monitoring-ct.html`
	srcSageMaker    = `Amazon SageMaker AI Developer Guide, "Logging Amazon SageMaker AI API calls using AWS CloudTrail" (data events: InvokeEndpoint, InvokeEndpointAsync, InvokeEndpointWithResponseStream on AWS::SageMaker::Endpoint; CompleteRollout, Sample, SampleWithResponseStream on AWS::SageMaker::Job), https://docs.aws.amazon.com/sagemaker/latest/dg/logging-using-cloudtrail.html#cloudtrail-data-events`
	srcFeatureStore = `Amazon SageMaker AI Developer Guide, "Logging Feature Store operations by using AWS CloudTrail" (data events: BatchGetRecord, DeleteRecord, GetRecord, PutRecord), https://docs.aws.amazon.com/sagemaker/latest/dg/feature-store-logging-using-cloudtrail.html`
	srcBedrock      = `Amazon Bedrock User Guide, "Monitor Amazon Bedrock API calls using CloudTrail" (data events: InvokeAgent, InvokeInlineAgent, Retrieve, RetrieveAndGenerate, InvokeFlow, RenderPrompt, GetAsyncInvoke, StartAsyncInvoke, InvokeModelWithBidirectionalStream; InvokeModel and Converse are management events), https://docs.aws.amazon.com/bedrock/latest/userguide/logging-using-cloudtrail.html#service-name-data-events-cloudtrail`
	srcLocation     = `Amazon Location Service Developer Guide, "Monitor and log with AWS CloudTrail" (data events of Geo Maps, Geo Places and Geo Routes), https://docs.aws.amazon.com/location/latest/developerguide/cloudtrail.html`
	srcGreengrass   = `AWS IoT Greengrass V2 Developer Guide, "Logging AWS IoT Greengrass V2 API calls with AWS CloudTrail" (data events: ResolveComponentCandidates on AWS::GreengrassV2::ComponentVersion), https://docs.aws.amazon.com/greengrass/v2/developerguide/logging-using-cloudtrail.html#greengrass-data-events-cloudtrail`
	srcFirehose     = `Amazon Data Firehose Developer Guide, "Log Amazon Data Firehose API calls with AWS CloudTrail" (the management events exclude PutRecord and PutRecordBatch), https://docs.aws.amazon.com/firehose/latest/dev/monitoring-using-cloudtrail.html`
	srcEventBridge  = `Amazon EventBridge User Guide, "Logging Amazon EventBridge API calls using AWS CloudTrail" ("All Amazon EventBridge API operations except PutEvents and PutPartnerEvents are control plane operations"), https://docs.aws.amazon.com/eventbridge/latest/userguide/logging-using-cloudtrail.html#cloudtrail-data-events`
	srcAppConfig    = `AWS AppConfig User Guide, "Logging AWS AppConfig API calls using AWS CloudTrail" (data events: GetLatestConfiguration, StartConfigurationSession), https://docs.aws.amazon.com/appconfig/latest/userguide/logging-using-cloudtrail.html#cloudtrail-data-events`
	srcCloudMap     = `AWS Cloud Map Developer Guide, "Log AWS Cloud Map API calls using AWS CloudTrail" (data events: DiscoverInstances, DiscoverInstancesRevision, GetServiceAttributes), https://docs.aws.amazon.com/cloud-map/latest/dg/logging-using-cloudtrail.html#cloudtrail-data-events`
	srcKeyspaces    = `Amazon Keyspaces Developer Guide, "Logging Amazon Keyspaces API calls with AWS CloudTrail" (DML data events Select, Insert, Update, Delete, GetShardIterator, GetRecords on AWS::Cassandra::Table), https://docs.aws.amazon.com/keyspaces/latest/devguide/logging-using-cloudtrail.html#keyspaces-in-cloudtrail-dml`
	srcCognito      = `Amazon Cognito Developer Guide, "Amazon Cognito logging in AWS CloudTrail" (identity pool data events: GetCredentialsForIdentity, GetId, GetOpenIdToken, GetOpenIdTokenForDeveloperIdentity, UnlinkIdentity), https://docs.aws.amazon.com/cognito/latest/developerguide/logging-using-cloudtrail.html#identity-pools-cloudtrail-events`
)

// neverLogged lists the actions whose calls CloudTrail does not record.
// It is read-only.
var neverLogged = []observabilityRule{
	{prefix: "ec2messages", why: "the SSM Agent's message delivery calls are not among the CloudTrail events of Systems Manager",
		source: srcSSM + "; " + srcSSMAgent},
	{prefix: "ssmmessages", names: named("CreateDataChannel", "OpenDataChannel"),
		why:    "Session Manager data channels are not among the CloudTrail events of Systems Manager (only the control channel is, as a data event)",
		source: srcSSM + "; " + srcSSMAgent},
	{prefix: "execute-api", why: "requests to an API Gateway API are not CloudTrail events (they go to the API's execution and access logs)",
		source: srcAPIGateway},
	{prefix: "es", match: func(a *Action) bool { return strings.HasPrefix(a.Name, "ESHttp") },
		why: "requests to an OpenSearch domain's HTTP APIs are not CloudTrail events", source: srcOpenSearch},
	{prefix: "cloudsearch", names: named("search", "suggest", "document"),
		why: "requests to a CloudSearch domain's search and document service endpoints are not CloudTrail events (only the configuration API is)", source: srcCloudSearch},
	{prefix: "mediastore", names: named("GetObject", "PutObject", "DeleteObject", "DescribeObject", "ListItems"),
		why: "MediaStore object operations are not among its CloudTrail events (only container operations are)", source: srcMediaStore},
	{prefix: "lex", names: named("PostText", "PostContent", "RecognizeText", "RecognizeUtterance", "StartConversation",
		"PutSession", "GetSession", "DeleteSession"),
		why:    "Lex runtime calls (V1 and V2) are not among Lex's CloudTrail events (only model building calls are); the CloudTrail User Guide's data event types AWS::Lex::Bot and BotAlias name no operation",
		source: srcLexV1 + "; " + srcLexV2},
	{prefix: "iot", names: named("Connect", "Publish", "Subscribe", "Receive", "RetainPublish", "DeleteConnection",
		"GetThingShadow", "UpdateThingShadow", "DeleteThingShadow", "ListNamedShadowsForThing", "GetRetainedMessage", "ListRetainedMessages"),
		why: "AWS IoT data plane (device side) calls, MQTT and device shadows, are not CloudTrail events", source: srcIoT},
	{prefix: "iot", names: named("ListThings", "ListTopicRules"),
		why: "the AWS IoT guide names these reads as calls that leave no CloudTrail entry", source: srcIoT},
	{prefix: "iotjobsdata", why: "the AWS IoT Jobs data plane is device-side AWS IoT data plane, which CloudTrail does not log", source: srcIoT},
	{prefix: "qldb", names: named("SendCommand", "ExecuteStatement", "ShowCatalog", "InsertSampleData",
		"PartiQLCreateIndex", "PartiQLCreateTable", "PartiQLDelete", "PartiQLDropIndex", "PartiQLDropTable",
		"PartiQLHistoryFunction", "PartiQLInsert", "PartiQLRedact", "PartiQLSelect", "PartiQLUndropTable", "PartiQLUpdate"),
		why: "QLDB statements run through the QLDB Session API (SendCommand), which is not among the resource management calls CloudTrail captures", source: srcQLDB},
	{prefix: "timestream", names: named("WriteRecords", "DescribeEndpoints"),
		why: "Timestream for LiveAnalytics generates no CloudTrail events for WriteRecords and DescribeEndpoints", source: srcTimestream},
	{prefix: "ses", names: named("SendRawEmail"),
		why: "mail sent through the SES SMTP interface, which this action authorizes, is not logged (API calls are, only as data events)", source: srcSES},
}

// dataEvents lists the actions whose calls CloudTrail logs only as data
// events. It is read-only. The rows are the data event types of the
// CloudTrail User Guide's table (about 200 resource types in 2026) whose
// operations the services' guides name; actions of the other types are
// classed by their operations.
var dataEvents = []observabilityRule{
	{prefix: "s3", match: func(a *Action) bool {
		for _, r := range a.Resources {
			if r.Name == "object" || r.Name == "accesspointobject" {
				return true
			}
		}
		return slices.Contains([]string{"ListBucket", "ListBucketVersions", "ListBucketMultipartUploads", "ListMultipartUploadParts"}, a.Name)
	}, data: DataEventType{"s3.amazonaws.com", "AWS::S3::Object"},
		why: "S3 object-level operations, and the bucket listings logged with them", source: srcS3 + "; " + srcDataEvents},
	{prefix: "s3express", names: named("CreateSession"), data: DataEventType{"s3express.amazonaws.com", "AWS::S3Express::Object"},
		why: "S3 directory bucket object operations (authorized through CreateSession)", source: srcS3 + "; " + srcDataEvents},
	{prefix: "s3-object-lambda", data: DataEventType{"s3-object-lambda.amazonaws.com", "AWS::S3ObjectLambda::AccessPoint"},
		why: "S3 Object Lambda access point operations", source: srcS3 + "; " + srcDataEvents},
	{prefix: "s3vectors", names: named("PutVectors", "GetVectors", "DeleteVectors", "ListVectors", "QueryVectors"),
		data: DataEventType{"s3vectors.amazonaws.com", "AWS::S3Vectors::Index"},
		why:  "S3 Vectors operations on the vectors of an index", source: srcS3Vectors + "; " + srcDataEvents},
	{prefix: "lambda", names: named("InvokeFunction", "InvokeAsync"), data: DataEventType{"lambda.amazonaws.com", "AWS::Lambda::Function"},
		why: "Lambda function invocations (Invoke)", source: srcDataEvents},
	{prefix: "dynamodb", names: named("GetItem", "BatchGetItem", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
		"Query", "Scan", "ConditionCheckItem", "PartiQLSelect", "PartiQLInsert", "PartiQLUpdate", "PartiQLDelete"),
		data: DataEventType{"dynamodb.amazonaws.com", "AWS::DynamoDB::Table"},
		why:  "DynamoDB item-level operations", source: srcDynamoDB + "; " + srcDataEvents},
	{prefix: "dynamodb", names: named("GetRecords", "GetShardIterator"),
		data: DataEventType{"dynamodb.amazonaws.com", "AWS::DynamoDB::Stream"},
		why:  "DynamoDB Streams operations", source: srcDynamoDB + "; " + srcDataEvents},
	{prefix: "cassandra", names: named("Select", "Modify", "GetRecords", "GetShardIterator"),
		data: DataEventType{"cassandra.amazonaws.com", "AWS::Cassandra::Table"},
		why:  "Amazon Keyspaces DML statements (Select; Insert, Update, Delete) and CDC stream reads", source: srcKeyspaces + "; " + srcDataEvents},
	{prefix: "sns", names: named("Publish"), data: DataEventType{"sns.amazonaws.com", "AWS::SNS::Topic"},
		why: "SNS Publish and PublishBatch on topics and platform endpoints", source: srcDataEvents},
	{prefix: "sqs", names: named("SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility"),
		data: DataEventType{"sqs.amazonaws.com", "AWS::SQS::Queue"},
		why:  "SQS message operations", source: srcSQS + "; " + srcDataEvents},
	{prefix: "kinesis", names: named("PutRecord", "PutRecords", "GetRecords", "GetShardIterator", "SubscribeToShard"),
		data: DataEventType{"kinesis.amazonaws.com", "AWS::Kinesis::Stream"},
		why:  "Kinesis Data Streams record operations", source: srcDataEvents},
	{prefix: "firehose", names: named("PutRecord", "PutRecordBatch"),
		data: DataEventType{"firehose.amazonaws.com", "AWS::KinesisFirehose::DeliveryStream"},
		why:  "Data Firehose record ingestion (not among its management events)", source: srcFirehose + "; " + srcDataEvents},
	{prefix: "kinesisvideo", names: named("GetMedia", "PutMedia", "GetMediaForFragmentList", "ListFragments", "GetClip",
		"GetHLSStreamingSessionURL", "GetDASHStreamingSessionURL", "GetImages"),
		data:   DataEventType{"kinesisvideo.amazonaws.com", "AWS::KinesisVideo::Stream"},
		why:    "Kinesis Video Streams media and archived-media calls on a stream (\"such as GetMedia and PutMedia\"; not among its management events)",
		source: srcDataEvents + "; " + srcKVS},
	{prefix: "kinesisvideo", names: named("ConnectAsMaster", "ConnectAsViewer", "GetIceServerConfig", "SendAlexaOfferToMaster",
		"JoinStorageSession", "JoinStorageSessionAsViewer"),
		data: DataEventType{"kinesisvideo.amazonaws.com", "AWS::KinesisVideo::SignalingChannel"},
		why:  "Kinesis Video Streams signaling channel calls (not among its management events)", source: srcDataEvents + "; " + srcKVSWebRTC},
	{prefix: "ebs", names: named("GetSnapshotBlock", "PutSnapshotBlock", "ListChangedBlocks", "ListSnapshotBlocks",
		"StartSnapshot", "CompleteSnapshot"), data: DataEventType{"ebs.amazonaws.com", "AWS::EC2::Snapshot"},
		why: "EBS direct APIs on snapshots", source: srcDataEvents},
	{prefix: "ssmmessages", names: named("CreateControlChannel", "OpenControlChannel"),
		data: DataEventType{"ssm.amazonaws.com", "AWS::SSMMessages::ControlChannel"},
		why:  "the SSM Agent's control channel calls, logged by ssm.amazonaws.com", source: srcSSM},
	{prefix: "ssm", names: named("RequestManagedInstanceRoleToken"),
		data: DataEventType{"ssm.amazonaws.com", "AWS::SSM::ManagedNode"},
		why:  "the SSM Agent's credential requests", source: srcSSM},
	{prefix: "cognito-identity", names: named("GetCredentialsForIdentity", "GetId", "GetOpenIdToken", "GetOpenIdTokenForDeveloperIdentity", "UnlinkIdentity"),
		data: DataEventType{"cognito-identity.amazonaws.com", "AWS::Cognito::IdentityPool"},
		why:  "Cognito identity pool credential operations", source: srcCognito + "; " + srcDataEvents},
	{prefix: "cloudwatch", names: named("GetMetricData", "GetMetricStatistics", "ListMetrics", "PutMetricData", "GetMetricWidgetImage"),
		data: DataEventType{"monitoring.amazonaws.com", "AWS::CloudWatch::Metric"},
		why:  "CloudWatch metric operations", source: `Amazon CloudWatch User Guide, "CloudWatch data plane events in CloudTrail", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/logging_cw_api_calls.html#CloudWatch-data-plane-events; ` + srcDataEvents},
	{prefix: "cloudtrail-data", names: named("PutAuditEvents"), data: DataEventType{"cloudtrail-data.amazonaws.com", "AWS::CloudTrail::Channel"},
		why: "CloudTrail Lake channel ingestion", source: srcDataEvents},
	{prefix: "rds-data", data: DataEventType{"rdsdata.amazonaws.com", "AWS::RDS::DBCluster"},
		why: "the RDS Data API", source: `Amazon Aurora User Guide, "Logging RDS Data API calls with AWS CloudTrail", https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/logging-using-cloudtrail-data-api.html; ` + srcDataEvents},
	{prefix: "states", names: named("SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat", "GetActivityTask", "StartSyncExecution"),
		data: DataEventType{"states.amazonaws.com", "AWS::StepFunctions::StateMachine"},
		why:  "Step Functions task and synchronous execution calls", source: `AWS Step Functions Developer Guide, "Logging AWS Step Functions API calls using AWS CloudTrail" (data events), https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cloud-trail.html#cloudtrail-data-events; ` + srcDataEvents},
	{prefix: "xray", names: named("PutTraceSegments", "PutTelemetryRecords", "GetTraceSummaries", "BatchGetTraces", "GetTraceGraph"),
		data: DataEventType{"xray.amazonaws.com", "AWS::XRay::Trace"},
		why:  "X-Ray trace operations", source: `AWS X-Ray Developer Guide, "Logging X-Ray API calls with CloudTrail" (data events), https://docs.aws.amazon.com/xray/latest/devguide/xray-api-cloudtrail.html#cloudtrail-data-events; ` + srcDataEvents},
	{prefix: "sagemaker", names: named("InvokeEndpoint", "InvokeEndpointAsync", "InvokeEndpointWithResponseStream"),
		data: DataEventType{"sagemaker.amazonaws.com", "AWS::SageMaker::Endpoint"},
		why:  "SageMaker AI endpoint invocations", source: srcSageMaker + "; " + srcDataEvents},
	{prefix: "sagemaker", names: named("CompleteRollout", "Sample", "SampleWithResponseStream"),
		data: DataEventType{"sagemaker.amazonaws.com", "AWS::SageMaker::Job"},
		why:  "SageMaker AI job runtime calls", source: srcSageMaker + "; " + srcDataEvents},
	{prefix: "sagemaker", names: named("GetRecord", "PutRecord", "DeleteRecord", "BatchGetRecord"),
		data: DataEventType{"sagemaker.amazonaws.com", "AWS::SageMaker::FeatureGroup"},
		why:  "SageMaker Feature Store record operations", source: srcFeatureStore + "; " + srcDataEvents},
	{prefix: "bedrock", names: named("InvokeAgent"), data: DataEventType{"bedrock.amazonaws.com", "AWS::Bedrock::AgentAlias"},
		why: "Bedrock agent invocations", source: srcBedrock + "; " + srcDataEvents},
	{prefix: "bedrock", names: named("InvokeInlineAgent"), data: DataEventType{"bedrock.amazonaws.com", "AWS::Bedrock::InlineAgent"},
		why: "Bedrock inline agent invocations", source: srcBedrock + "; " + srcDataEvents},
	{prefix: "bedrock", names: named("Retrieve", "RetrieveAndGenerate"), data: DataEventType{"bedrock.amazonaws.com", "AWS::Bedrock::KnowledgeBase"},
		why: "Bedrock knowledge base queries", source: srcBedrock + "; " + srcDataEvents},
	{prefix: "bedrock", names: named("InvokeFlow"), data: DataEventType{"bedrock.amazonaws.com", "AWS::Bedrock::FlowAlias"},
		why: "Bedrock flow invocations", source: srcBedrock + "; " + srcDataEvents},
	{prefix: "bedrock", names: named("InvokeModel", "GetAsyncInvoke"), data: DataEventType{"bedrock.amazonaws.com", "AWS::Bedrock::Model"},
		why:    "asynchronous and bidirectional-stream model invocations (StartAsyncInvoke and InvokeModelWithBidirectionalStream need bedrock:InvokeModel and are logged only as data events, though InvokeModel calls themselves are management events), and GetAsyncInvoke",
		source: srcBedrock + "; " + srcDataEvents},
	{prefix: "bedrock", names: named("ApplyGuardrail"), data: DataEventType{"bedrock.amazonaws.com", "AWS::Bedrock::Guardrail"},
		why: "Bedrock guardrail checks (ApplyGuardrail)", source: srcBedrock + "; " + srcDataEvents},
	{prefix: "bedrock", names: named("RenderPrompt"), data: DataEventType{"bedrock.amazonaws.com", "AWS::Bedrock::PromptVersion"},
		why: "Bedrock prompt rendering for model invocation", source: srcBedrock + "; " + srcDataEvents},
	{prefix: "geo-maps", data: DataEventType{"geo-maps.amazonaws.com", "AWS::GeoMaps::Provider"},
		why: "Amazon Location Maps calls", source: srcLocation + "; " + srcDataEvents},
	{prefix: "geo-places", data: DataEventType{"geo-places.amazonaws.com", "AWS::GeoPlaces::Provider"},
		why: "Amazon Location Places calls", source: srcLocation + "; " + srcDataEvents},
	{prefix: "geo-routes", data: DataEventType{"geo-routes.amazonaws.com", "AWS::GeoRoutes::Provider"},
		why: "Amazon Location Routes calls", source: srcLocation + "; " + srcDataEvents},
	{prefix: "greengrass", names: named("ResolveComponentCandidates"),
		data: DataEventType{"greengrass.amazonaws.com", "AWS::GreengrassV2::ComponentVersion"},
		why:  "Greengrass core device component resolution", source: srcGreengrass + "; " + srcDataEvents},
	{prefix: "timestream", names: named("Select"), data: DataEventType{"timestream.amazonaws.com", "AWS::Timestream::Database"},
		why: "Timestream for LiveAnalytics queries (Query)", source: srcTimestream + "; " + srcDataEvents},
	{prefix: "ses", names: named("SendEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail", "SendBulkEmail"),
		data: DataEventType{"ses.amazonaws.com", "AWS::SES::EmailIdentity"},
		why:  "SES email sending through the API", source: srcSES + "; " + srcDataEvents},
	{prefix: "events", names: named("PutEvents"), data: DataEventType{"events.amazonaws.com", "AWS::Events::EventBus"},
		why: "EventBridge PutEvents on an event bus", source: srcEventBridge + "; " + srcDataEvents},
	{prefix: "events", names: named("PutPartnerEvents"), data: DataEventType{"events.amazonaws.com", "AWS::Events::EventSource"},
		why: "EventBridge PutPartnerEvents on a partner event source", source: srcEventBridge + "; " + srcDataEvents},
	{prefix: "appconfig", names: named("GetLatestConfiguration", "StartConfigurationSession"),
		data: DataEventType{"appconfig.amazonaws.com", "AWS::AppConfig::Configuration"},
		why:  "AWS AppConfig configuration retrieval (the AppConfig Data API)", source: srcAppConfig + "; " + srcDataEvents},
	{prefix: "servicediscovery", names: named("DiscoverInstances", "DiscoverInstancesRevision"),
		data: DataEventType{"servicediscovery.amazonaws.com", "AWS::ServiceDiscovery::Namespace"},
		why:  "AWS Cloud Map instance discovery", source: srcCloudMap + "; " + srcDataEvents},
	{prefix: "servicediscovery", names: named("GetServiceAttributes"),
		data: DataEventType{"servicediscovery.amazonaws.com", "AWS::ServiceDiscovery::Service"},
		why:  "AWS Cloud Map service attribute reads", source: srcCloudMap + "; " + srcDataEvents},
}

// ObservabilityRule is one row of the catalog's tables of actions CloudTrail
// logs only as data events, or never, with its source.
type ObservabilityRule struct {
	Prefix string
	// Actions are the action names the row covers; empty means every
	// action of the prefix (or, with Pattern, those it describes).
	Actions []string
	// Pattern describes a row that selects actions by a rule rather than
	// by name ("actions on S3 objects").
	Pattern string
	Class   Observability
	// DataEvent is the data event type of a DataEvent row.
	DataEvent DataEventType
	Why       string
	Source    string
}

// ObservabilityRules returns the rows of the tables, never-logged first:
// what the README documents and `tailor catalog info` cites.
func ObservabilityRules() []ObservabilityRule {
	var out []ObservabilityRule
	add := func(rules []observabilityRule, class Observability) {
		for _, r := range rules {
			row := ObservabilityRule{Prefix: r.prefix, Actions: slices.Clone(r.names), Class: class, DataEvent: r.data, Why: r.why, Source: r.source}
			if r.match != nil {
				row.Pattern = r.why
			}
			out = append(out, row)
		}
	}
	add(neverLogged, NeverLogged)
	add(dataEvents, DataEvent)
	return out
}

// observe gives every action of c its observability class. observable
// holds the lowercase full names of the actions some operation or exception
// needs; source names the operation data for the reasons, and stale
// reports, per service, that its operation data is older than the action
// data (so an action without an operation may be newer than it).
func (c *Catalog) observe(observable map[string]bool, source string, stale func(*Service) (time.Time, bool)) {
	for _, a := range c.all {
		a.Observability, a.ObservabilityWhy, a.DataEvent = c.classOf(a, observable[strings.ToLower(a.FullName())], source, stale)
	}
}

func (c *Catalog) classOf(a *Action, observable bool, source string, stale func(*Service) (time.Time, bool)) (Observability, string, DataEventType) {
	for i := range neverLogged {
		if r := &neverLogged[i]; r.covers(a, true) {
			return NeverLogged, r.why + " (" + r.source + ")", DataEventType{}
		}
	}
	for i := range dataEvents {
		if r := &dataEvents[i]; r.covers(a, observable) {
			return DataEvent, "logged only as data events (" + r.data.ResourceType + ") of " + r.data.EventSource + ": " + r.why + " (" + r.source + ")", r.data
		}
	}
	svc := c.services[a.Service]
	switch {
	case !svc.OperationsKnown:
		return UnknownObservability, "no API operation data for service " + a.Service + " in " + source, DataEventType{}
	case observable:
		return ManagementEvent, "API operations that need it are logged as management events (" + source + ")", DataEventType{}
	}
	if len(svc.MissingOperations) > 0 {
		return UnknownObservability, "no API operation of this name in " + source + ", which lacks " +
			strings.Join(svc.MissingOperations, ", ") + ": an operation there may need it", DataEventType{}
	}
	if d, ok := stale(svc); ok {
		return UnknownObservability, "no API operation of this name in " + source + ", whose data for " + a.Service +
			" is known complete only until " + d.Format(time.DateOnly) + ", before the action data: the action may be newer", DataEventType{}
	}
	return PermissionOnly, "no API operation of " + a.Service + " needs it in " + source, DataEventType{}
}

// Use is an API operation that needs an action.
type Use struct {
	Service   string // IAM service prefix of the operation
	Operation string
	// Conditional reports that only some calls need the action (a
	// parameter, a resource type, tags).
	Conditional bool
}

// Uses returns the API operations that need an action, as Map decides:
// from the official operation data when the catalog has it, else from
// the operation of the action's own name and the exception table. Sorted
// by service and operation; nil for an action no operation needs.
func (c *Catalog) Uses(action string) []Use {
	a, ok := c.Action(action)
	if !ok {
		return nil
	}
	full := a.FullName()
	seen := make(map[Use]bool)
	var out []Use
	add := func(u Use) {
		if !seen[u] && !seen[Use{u.Service, u.Operation, false}] {
			seen[u] = true
			out = append(out, u)
		}
	}
	if c.HasOperations() {
		for prefix, ops := range c.ops {
			for _, op := range ops {
				if !containsFold(op.AuthorizedActions, full) {
					continue
				}
				needed, _ := c.classify(prefix, op.Name, op.AuthorizedActions, exceptions[prefix+":"+strings.ToLower(op.Name)])
				add(Use{Service: prefix, Operation: op.Name, Conditional: !containsFold(needed, full)})
			}
		}
	} else {
		for _, op := range c.services[a.Service].Operations {
			if strings.EqualFold(op, a.Name) {
				add(Use{Service: a.Service, Operation: op})
			}
		}
		for key, ex := range exceptions {
			prefix, op, _ := strings.Cut(key, ":")
			name := op
			if s, ok := c.services[prefix]; ok {
				if i := slices.IndexFunc(s.Operations, func(o string) bool { return strings.EqualFold(o, op) }); i >= 0 {
					name = s.Operations[i]
				}
			}
			if containsFold(ex.needed, full) {
				add(Use{Service: prefix, Operation: name})
			}
			if slices.ContainsFunc(ex.conds, func(x condAction) bool { return strings.EqualFold(x.action, full) }) {
				add(Use{Service: prefix, Operation: name, Conditional: true})
			}
		}
	}
	slices.SortFunc(out, func(x, y Use) int {
		return strings.Compare(x.Service+":"+x.Operation, y.Service+":"+y.Operation)
	})
	return out
}
