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
	// OpenSearch HTTP requests).
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

// Sources of the tables.
const (
	srcDataEvents = `AWS CloudTrail User Guide, "Understanding CloudTrail events", table "Data events supported by AWS CloudTrail", https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html`
	srcS3         = `Amazon S3 User Guide, "Logging Amazon S3 API calls using AWS CloudTrail" (data events), https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html#cloudtrail-data-events`
	srcDynamoDB   = `Amazon DynamoDB Developer Guide, "DynamoDB data plane events in CloudTrail", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/logging-using-cloudtrail.html#ddb-data-plane-events-in-cloudtrail`
	srcSQS        = `Amazon SQS Developer Guide, "Amazon SQS data events in CloudTrail", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-logging-using-cloudtrail.html#sqs-data-events-in-cloud-trail`
	srcSSM        = `AWS Systems Manager User Guide, "Logging AWS Systems Manager API calls with AWS CloudTrail" (data events: only CreateControlChannel, OpenControlChannel, RequestManagedInstanceRoleToken), https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-cloudtrail-logs.html#cloudtrail-data-events`
	srcSSMAgent   = `AWS Systems Manager User Guide, "Reference: ec2messages, ssmmessages, and other API operations", https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-setting-up-messageAPIs.html`
	srcAPIGateway = `Amazon API Gateway Developer Guide, "Logging calls to Amazon API Gateway APIs with AWS CloudTrail" (CloudTrail captures calls to the API Gateway service APIs; requests to your APIs go to execution and access logs), https://docs.aws.amazon.com/apigateway/latest/developerguide/cloudtrail.html`
	srcOpenSearch = `Amazon OpenSearch Service Developer Guide, "Monitoring Amazon OpenSearch Service API calls with AWS CloudTrail" ("CloudTrail doesn't capture calls to the OpenSearch APIs, such as _search and _bulk"), https://docs.aws.amazon.com/opensearch-service/latest/developerguide/managedomains-cloudtrailauditing.html`
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
}

// dataEvents lists the actions whose calls CloudTrail logs only as data
// events. It is read-only. Checked against the CloudTrail User Guide's
// table of data event types (2026), which lists some 190 resource types;
// the rows here are those whose operations the services' guides name.
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
	{prefix: "lambda", names: named("InvokeFunction", "InvokeAsync"), data: DataEventType{"lambda.amazonaws.com", "AWS::Lambda::Function"},
		why: "Lambda function invocations (Invoke)", source: srcDataEvents},
	{prefix: "dynamodb", names: named("GetItem", "BatchGetItem", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
		"Query", "Scan", "ConditionCheckItem", "PartiQLSelect", "PartiQLInsert", "PartiQLUpdate", "PartiQLDelete"),
		data: DataEventType{"dynamodb.amazonaws.com", "AWS::DynamoDB::Table"},
		why:  "DynamoDB item-level operations", source: srcDynamoDB + "; " + srcDataEvents},
	{prefix: "dynamodb", names: named("GetRecords", "GetShardIterator"),
		data: DataEventType{"dynamodb.amazonaws.com", "AWS::DynamoDB::Stream"},
		why:  "DynamoDB Streams operations", source: srcDynamoDB + "; " + srcDataEvents},
	{prefix: "sns", names: named("Publish"), data: DataEventType{"sns.amazonaws.com", "AWS::SNS::Topic"},
		why: "SNS Publish and PublishBatch on topics and platform endpoints", source: srcDataEvents},
	{prefix: "sqs", names: named("SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility"),
		data: DataEventType{"sqs.amazonaws.com", "AWS::SQS::Queue"},
		why:  "SQS message operations", source: srcSQS + "; " + srcDataEvents},
	{prefix: "kinesis", names: named("PutRecord", "PutRecords", "GetRecords", "GetShardIterator", "SubscribeToShard"),
		data: DataEventType{"kinesis.amazonaws.com", "AWS::Kinesis::Stream"},
		why:  "Kinesis Data Streams record operations", source: srcDataEvents},
	{prefix: "ebs", names: named("GetSnapshotBlock", "PutSnapshotBlock", "ListChangedBlocks", "ListSnapshotBlocks",
		"StartSnapshot", "CompleteSnapshot"), data: DataEventType{"ebs.amazonaws.com", "AWS::EC2::Snapshot"},
		why: "EBS direct APIs on snapshots", source: srcDataEvents},
	{prefix: "ssmmessages", names: named("CreateControlChannel", "OpenControlChannel"),
		data: DataEventType{"ssm.amazonaws.com", "AWS::SSMMessages::ControlChannel"},
		why:  "the SSM Agent's control channel calls, logged by ssm.amazonaws.com", source: srcSSM},
	{prefix: "ssm", names: named("RequestManagedInstanceRoleToken"),
		data: DataEventType{"ssm.amazonaws.com", "AWS::SSM::ManagedNode"},
		why:  "the SSM Agent's credential requests", source: srcSSM},
	{prefix: "cognito-identity", names: named("GetCredentialsForIdentity", "GetId", "GetOpenIdToken", "GetOpenIdTokenForDeveloperIdentity"),
		data: DataEventType{"cognito-identity.amazonaws.com", "AWS::Cognito::IdentityPool"},
		why:  "Cognito identity pool credential operations", source: srcDataEvents},
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
			" dates from " + d.Format(time.DateOnly) + ", before the action data: the action may be newer", DataEventType{}
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
