package catalog_test

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/catalog"
)

// ownOperation reports whether the official Operations data of the
// action's service has an operation of the action's name.
func ownOperation(sr *catalog.Catalog, a *catalog.Action) bool {
	_, ok := sr.Operation(a.Service, a.Name)
	return ok
}

func classCounts(c *catalog.Catalog) map[catalog.Observability]int {
	n := make(map[catalog.Observability]int)
	for _, name := range c.Expand("*") {
		a, _ := c.Action(name)
		n[a.Observability]++
	}
	return n
}

// TestObservabilityFalseMarks measures, against AWS's official service
// reference (Operations[] of the shared copy, 2026-08), how many of the
// embedded catalog's permission-only marks are wrong: actions that have an
// API operation of their own name, which CloudTrail logs. The marks came
// from the AWS SDK for JavaScript v2 (frozen 2024) before, and were wrong
// for 55% (2,377 of 4,306); they come from the AWS SDK for Go v2 modules
// and JavaScript v3 clients now.
func TestObservabilityFalseMarks(t *testing.T) {
	emb := embedded(t)
	sr := sharedReference(t)
	var marks, wrong int
	var wrongNames []string
	for _, name := range emb.Expand("*") {
		a, _ := emb.Action(name)
		if a.Observability != catalog.PermissionOnly {
			continue
		}
		marks++
		if ownOperation(sr, a) {
			wrong++
			wrongNames = append(wrongNames, name)
		}
	}
	counts := classCounts(emb)
	t.Logf("embedded classes: %v", counts)
	t.Logf("official service reference classes: %v", classCounts(sr))
	pct := 100 * float64(wrong) / float64(marks)
	t.Logf("%d permission-only marks, %d (%.2f%%) are actions with an operation of their own in the official data: %v",
		marks, wrong, pct, head(wrongNames, 40))
	if pct > 1 {
		t.Errorf("%.2f%% of permission-only marks are operations (target ≤ 1%%)", pct)
	}
	// The marks must still cover what is permission-only beyond doubt.
	for _, name := range []string{"iam:PassRole", "sts:TagSession", "sts:SetSourceIdentity"} {
		if a, _ := emb.Action(name); a.Observability != catalog.PermissionOnly {
			t.Errorf("%s is %v, want permission-only", name, a.Observability)
		}
	}
	// Unknown stays a minority (measured 14.5%, 24% with the Go modules
	// alone: services neither the module proxy nor the npm registry serves
	// an SDK of, or serves only in versions older than the action data).
	if n := counts[catalog.UnknownObservability]; n > emb.Len()/5 {
		t.Errorf("%d of %d actions of unknown observability", n, emb.Len())
	}
}

// TestObservabilityNeverLogged checks that every action of a service the
// never-logged table names whole is classed so, in both catalogs, and that
// the rows name their source.
func TestObservabilityNeverLogged(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    *catalog.Catalog
	}{{"embedded", embedded(t)}, {"service-reference", sharedReference(t)}} {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range catalog.ObservabilityRules() {
				if !strings.Contains(r.Source, "https://docs.aws.amazon.com/") {
					t.Errorf("rule %s %v cites no AWS document: %q", r.Prefix, r.Actions, r.Source)
				}
				if r.Class != catalog.NeverLogged || len(r.Actions) > 0 || r.Pattern != "" {
					continue
				}
				acts := tc.c.Actions(r.Prefix)
				if len(acts) == 0 {
					t.Errorf("no actions of never-logged service %s", r.Prefix)
				}
				for _, name := range acts {
					if a, _ := tc.c.Action(name); a.Observability != catalog.NeverLogged || !strings.Contains(a.ObservabilityWhy, "https://") {
						t.Errorf("%s: %v (%s), want never-logged with a source", name, a.Observability, a.ObservabilityWhy)
					}
				}
			}
			for name, want := range map[string]catalog.Observability{
				"ec2messages:GetMessages":          catalog.NeverLogged,
				"ssmmessages:OpenDataChannel":      catalog.NeverLogged,
				"ssmmessages:CreateControlChannel": catalog.DataEvent,
				"execute-api:Invoke":               catalog.NeverLogged,
				"es:ESHttpGet":                     catalog.NeverLogged,
				"es:CreateElasticsearchDomain":     catalog.ManagementEvent,
				"s3:GetObject":                     catalog.DataEvent,
				"s3:ListBucket":                    catalog.DataEvent,
				"s3:GetBucketPolicy":               catalog.ManagementEvent,
				"lambda:InvokeFunction":            catalog.DataEvent,
				"ec2:DescribeInstances":            catalog.ManagementEvent,
				"ec2:DescribeRouteServers":         catalog.ManagementEvent,
				"iam:PassRole":                     catalog.PermissionOnly,
				// Data planes that gained SDK operations: the operation
				// exists, CloudTrail still does not log it as a
				// management event.
				"cloudsearch:search":                    catalog.NeverLogged,
				"cloudsearch:CreateDomain":              catalog.ManagementEvent,
				"iot:Publish":                           catalog.NeverLogged,
				"iot:CreateThing":                       catalog.ManagementEvent,
				"kinesisvideo:GetMedia":                 catalog.DataEvent,
				"kinesisvideo:CreateStream":             catalog.ManagementEvent,
				"sagemaker:InvokeEndpoint":              catalog.DataEvent,
				"sagemaker:CreateEndpoint":              catalog.ManagementEvent,
				"bedrock:InvokeAgent":                   catalog.DataEvent,
				"bedrock:InvokeModelWithResponseStream": catalog.ManagementEvent,
				"ses:SendRawEmail":                      catalog.NeverLogged,
				"events:PutEvents":                      catalog.DataEvent,
				"events:PutRule":                        catalog.ManagementEvent,
				"timestream:WriteRecords":               catalog.NeverLogged,
				"geo-places:Geocode":                    catalog.DataEvent,
				// Audited and left as management events: their guides say
				// CloudTrail logs every operation, the data plane's too
				// (Personalize Developer Guide, "Logging Amazon Personalize
				// API calls with AWS CloudTrail"; Forecast Developer Guide,
				// "Logging Forecast API Calls with AWS CloudTrail"; Cognito
				// Developer Guide, "Amazon Cognito logging in AWS
				// CloudTrail": Cognito Sync).
				"personalize:PutEvents":          catalog.ManagementEvent,
				"personalize:GetRecommendations": catalog.ManagementEvent,
				"forecast:QueryForecast":         catalog.ManagementEvent,
				"cognito-sync:UpdateRecords":     catalog.ManagementEvent,
			} {
				a, ok := tc.c.Action(name)
				if !ok {
					t.Errorf("%s missing", name)
					continue
				}
				if a.Observability != want {
					t.Errorf("%s: %v (%s), want %v", name, a.Observability, a.ObservabilityWhy, want)
				}
				if a.ObservabilityWhy == "" {
					t.Errorf("%s: no reason", name)
				}
			}
			if a, _ := tc.c.Action("ssmmessages:CreateControlChannel"); a.DataEvent != (catalog.DataEventType{EventSource: "ssm.amazonaws.com", ResourceType: "AWS::SSMMessages::ControlChannel"}) {
				t.Errorf("ssmmessages:CreateControlChannel data event %+v", a.DataEvent)
			}
		})
	}
}

// TestObservabilityAgreement compares the embedded classes with those the
// official Operations data gives, action by action.
func TestObservabilityAgreement(t *testing.T) {
	emb := embedded(t)
	sr := sharedReference(t)
	pairs := make(map[[2]catalog.Observability]int)
	for _, name := range emb.Expand("*") {
		a, _ := emb.Action(name)
		o, ok := sr.Action(name)
		if !ok {
			continue
		}
		pairs[[2]catalog.Observability{a.Observability, o.Observability}]++
	}
	same := 0
	total := 0
	for _, k := range slices.SortedFunc(maps.Keys(pairs), func(x, y [2]catalog.Observability) int {
		return int(x[0])*8 + int(x[1]) - int(y[0])*8 - int(y[1])
	}) {
		t.Logf("embedded %-15v official %-15v %5d", k[0], k[1], pairs[k])
		total += pairs[k]
		if k[0] == k[1] {
			same++
		}
	}
	// A management class in the embedded catalog where the official data
	// cannot show the action would let a rightsizer remove what the logs
	// cannot prove unused. Count them.
	unsafe := pairs[[2]catalog.Observability{catalog.ManagementEvent, catalog.PermissionOnly}]
	t.Logf("embedded says management, official says permission-only: %d of %d", unsafe, total)
}

// TestObservabilityRules checks every row of the tables in both catalogs:
// each action a row names is of the row's class (with its data event type
// for data event rows) in the embedded catalog and in the official service
// reference, every name exists in the embedded catalog (a misspelt name
// would class nothing), and no action is named by two rows.
func TestObservabilityRules(t *testing.T) {
	rules := catalog.ObservabilityRules()
	named := make(map[string]string)
	for i, r := range rules {
		for _, n := range r.Actions {
			full := strings.ToLower(r.Prefix + ":" + n)
			if prev, ok := named[full]; ok {
				t.Errorf("%s named by rows %s and %d", full, prev, i)
			}
			named[full] = strconv.Itoa(i)
		}
		if r.Class == catalog.DataEvent && (r.DataEvent.EventSource == "" || r.DataEvent.ResourceType == "") {
			t.Errorf("data event row %s %v has no event source or resource type: %+v", r.Prefix, r.Actions, r.DataEvent)
		}
	}
	for _, tc := range []struct {
		name string
		c    func(testing.TB) *catalog.Catalog
	}{{"embedded", embedded}, {"service-reference", sharedReference}} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c(t)
			checked := 0
			for _, r := range rules {
				names := r.Actions
				if len(names) == 0 && r.Pattern == "" {
					names = nil
					for _, full := range c.Actions(r.Prefix) {
						_, n, _ := strings.Cut(full, ":")
						names = append(names, n)
					}
					if len(names) == 0 {
						t.Errorf("no actions of %s, which a %v row names whole", r.Prefix, r.Class)
					}
				}
				for _, n := range names {
					a, ok := c.Action(r.Prefix + ":" + n)
					if !ok {
						if tc.name == "embedded" {
							t.Errorf("%s:%s, named by a %v row, is not an action of the catalog", r.Prefix, n, r.Class)
						}
						continue
					}
					checked++
					if a.Observability != r.Class {
						t.Errorf("%s: %v (%s), want %v", a, a.Observability, a.ObservabilityWhy, r.Class)
						continue
					}
					if a.DataEvent != r.DataEvent {
						t.Errorf("%s: data event %+v, want %+v", a, a.DataEvent, r.DataEvent)
					}
					if !strings.Contains(a.ObservabilityWhy, "https://docs.aws.amazon.com/") {
						t.Errorf("%s: reason cites no AWS document: %s", a, a.ObservabilityWhy)
					}
				}
			}
			t.Logf("%d rows, %d actions checked", len(rules), checked)
		})
	}
}

// TestObservabilityDataEventCoverage measures how many of the data event
// types in the CloudTrail User Guide's table (userGuideDataEventTypes) have
// a row, and checks that every row's resource type is one the guide lists.
func TestObservabilityDataEventCoverage(t *testing.T) {
	guide := make(map[string]bool, len(userGuideDataEventTypes))
	for _, rt := range userGuideDataEventTypes {
		if guide[rt] {
			t.Errorf("%s listed twice", rt)
		}
		guide[rt] = true
	}
	covered := make(map[string]bool)
	for _, r := range catalog.ObservabilityRules() {
		if r.Class != catalog.DataEvent {
			continue
		}
		if !guide[r.DataEvent.ResourceType] {
			t.Errorf("row %s %v: resource type %s is not in the CloudTrail User Guide's table", r.Prefix, r.Actions, r.DataEvent.ResourceType)
		}
		covered[r.DataEvent.ResourceType] = true
	}
	var open []string
	for _, rt := range userGuideDataEventTypes {
		if !covered[rt] {
			open = append(open, rt)
		}
	}
	t.Logf("data event types with a row: %d of %d (%.0f%%); without: %v",
		len(covered), len(guide), 100*float64(len(covered))/float64(len(guide)), open)
}

// userGuideDataEventTypes are the resources.type values of the table "Data
// events supported by AWS CloudTrail" in the CloudTrail User Guide
// ("Understanding CloudTrail events",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html),
// as read in 2026, in the guide's order.
var userGuideDataEventTypes = []string{
	"AWS::AgentAccessMCP::Tools", "AWS::AgentRegistry::Registry",
	"AWS::AIDevOps::AgentSpace", "AWS::AIDevOps::Association", "AWS::AIDevOps::OperatorAppTeam",
	"AWS::AIDevOps::PipelineMetadata", "AWS::AIDevOps::Service", "AWS::AIOps::InvestigationGroup",
	"AWS::AOSS::Collection", "AWS::AppConfig::Configuration", "AWS::ApplicationSignals::InstrumentationConfig",
	"AWS::AppSync::GraphQLApi", "AWS::AWSExternalAnthropic::Workspace", "AWS::B2BI::Transformer",
	"AWS::Backup::BackupAccessPoint", "AWS::Backup::SearchJob",
	"AWS::Bedrock::AdvancedOptimizePromptJob", "AWS::Bedrock::AgentAlias", "AWS::Bedrock::AsyncInvoke",
	"AWS::Bedrock::AutomatedReasoningPolicy", "AWS::Bedrock::AutomatedReasoningPolicyVersion",
	"AWS::Bedrock::Blueprint", "AWS::Bedrock::DataAutomationInvocation", "AWS::Bedrock::DataAutomationProfile",
	"AWS::Bedrock::DataAutomationProject", "AWS::Bedrock::FlowAlias", "AWS::Bedrock::FlowExecution",
	"AWS::Bedrock::Guardrail", "AWS::Bedrock::InlineAgent", "AWS::Bedrock::KnowledgeBase", "AWS::Bedrock::Model",
	"AWS::Bedrock::PromptVersion", "AWS::Bedrock::Session", "AWS::Bedrock::Tool",
	"AWS::BedrockAgentCore::ABTest", "AWS::BedrockAgentCore::APIKeyCredentialProvider",
	"AWS::BedrockAgentCore::BatchEvaluate", "AWS::BedrockAgentCore::Browser", "AWS::BedrockAgentCore::BrowserCustom",
	"AWS::BedrockAgentCore::BrowserProfile", "AWS::BedrockAgentCore::CapacityProvider",
	"AWS::BedrockAgentCore::CodeInterpreter", "AWS::BedrockAgentCore::CodeInterpreterCustom",
	"AWS::BedrockAgentCore::Evaluator", "AWS::BedrockAgentCore::Gateway", "AWS::BedrockAgentCore::Memory",
	"AWS::BedrockAgentCore::OAuth2CredentialProvider", "AWS::BedrockAgentCore::Payments",
	"AWS::BedrockAgentCore::Policy", "AWS::BedrockAgentCore::PolicyEngine", "AWS::BedrockAgentCore::Recommendation",
	"AWS::BedrockAgentCore::Registry", "AWS::BedrockAgentCore::Runtime", "AWS::BedrockAgentCore::RuntimeEndpoint",
	"AWS::BedrockAgentCore::TokenVault", "AWS::BedrockAgentCore::WorkloadIdentity",
	"AWS::BedrockAgentCore::WorkloadIdentityDirectory", "AWS::BedrockMantle::Project", "AWS::BedrockWebSearch::Tool",
	"AWS::Cassandra::Stream", "AWS::Cassandra::Table", "AWS::CertificateManager::AcmeEndpoint",
	"AWS::ClinicalTrialsTech::Codelist", "AWS::ClinicalTrialsTech::Dataset", "AWS::ClinicalTrialsTech::Execution",
	"AWS::ClinicalTrialsTech::Instance", "AWS::ClinicalTrialsTech::Mapping", "AWS::ClinicalTrialsTech::Schedule",
	"AWS::ClinicalTrialsTech::Study", "AWS::CloudFront::KeyValueStore", "AWS::CloudOptimization::Profile",
	"AWS::CloudOptimization::Recommendation", "AWS::CloudTrail::Channel", "AWS::CloudWatch::Dataset",
	"AWS::CloudWatch::IngestionEndpoint", "AWS::CloudWatch::Metric", "AWS::CodeGuruProfiler::ProfilingGroup",
	"AWS::CodeWhisperer::Customization", "AWS::CodeWhisperer::Profile", "AWS::Cognito::IdentityPool",
	"AWS::DataExchange::Asset", "AWS::Deadline::Fleet", "AWS::Deadline::Job", "AWS::Deadline::Queue",
	"AWS::Deadline::Worker", "AWS::DiodeAlerting::LinkedAlert", "AWS::DSQL::Cluster", "AWS::DynamoDB::Stream",
	"AWS::DynamoDB::Table", "AWS::EC2::InstanceConnectEndpoint", "AWS::EC2::Snapshot", "AWS::ECS::ContainerInstance",
	"AWS::EKS::Dashboard", "AWS::EMRWAL::Workspace", "AWS::Events::Endpoint", "AWS::Events::EventBus",
	"AWS::Events::EventSource", "AWS::Events::Rule", "AWS::FinSpace::Environment", "AWS::FSx::Volume",
	"AWS::GameLiftStreams::Application", "AWS::GameLiftStreams::StreamGroup", "AWS::GeoMaps::Provider",
	"AWS::GeoPlaces::Provider", "AWS::GeoRoutes::Provider", "AWS::Glue::Table",
	"AWS::GreengrassV2::ComponentVersion", "AWS::GreengrassV2::Deployment", "AWS::GuardDuty::Detector",
	"AWS::GuardDuty::MalwareScan", "AWS::HealthAgent::Domain", "AWS::HealthAgent::Integration",
	"AWS::HealthAgent::PatientInsightsJob", "AWS::HealthAgent::Session", "AWS::HealthAgent::Subscription",
	"AWS::HealthLake::DataTransformationProfile", "AWS::IoT::Certificate", "AWS::IoT::Thing", "AWS::IoT::Tunnel",
	"AWS::IoTSiteWise::Asset", "AWS::IoTSiteWise::Dataset", "AWS::IoTSiteWise::Pipeline",
	"AWS::IoTSiteWise::TimeSeries", "AWS::IoTSiteWise::Workspace", "AWS::IoTTwinMaker::Entity",
	"AWS::IoTTwinMaker::Workspace", "AWS::KendraRanking::ExecutionPlan", "AWS::Kinesis::Stream",
	"AWS::Kinesis::StreamConsumer", "AWS::KinesisFirehose::DeliveryStream", "AWS::KinesisVideo::SignalingChannel",
	"AWS::KinesisVideo::Stream", "AWS::Lambda::Function", "AWS::Lambda::MicrovmImage", "AWS::Lex::Bot",
	"AWS::Lex::BotAlias", "AWS::Logs::LogGroupAuthorization", "AWS::Logs::ScheduledQuery",
	"AWS::MachineLearning::MlModel", "AWS::ManagedBlockchain::Network", "AWS::ManagedBlockchain::Node",
	"AWS::ManagedBlockchainQuery::QueryAPI", "AWS::MedicalImaging::Datastore", "AWS::MedicalImaging::Imageset",
	"AWS::MWAA::Environment", "AWS::NeptuneGraph::Graph", "AWS::NetworkFlowMonitor::Monitor",
	"AWS::NetworkFlowMonitor::Scope", "AWS::NovaAct::WorkflowDefinition", "AWS::NovaAct::WorkflowRun",
	"AWS::One::UKey", "AWS::One::User", "AWS::PaymentCryptography::Alias", "AWS::PaymentCryptography::Key",
	"AWS::PCAConnectorAD::Connector", "AWS::PCAConnectorSCEP::Connector", "AWS::Pinpoint::App",
	"AWS::QApps::QApp", "AWS::QApps::QAppSession", "AWS::QBusiness::Application", "AWS::QBusiness::DataSource",
	"AWS::QBusiness::Index", "AWS::QBusiness::Integration", "AWS::QBusiness::WebExperience",
	"AWS::QDeveloper::Integration", "AWS::Quicksight::ActionConnector", "AWS::QuickSight::App",
	"AWS::QuickSight::Automation", "AWS::QuickSight::AutomationJob", "AWS::QuickSight::Extension",
	"AWS::QuickSight::ExtensionAccess", "AWS::QuickSight::Flow", "AWS::QuickSight::FlowSession",
	"AWS::QuickSight::Page", "AWS::QuickSight::Task", "AWS::RDS::DBCluster", "AWS::Redshift::Cluster",
	"AWS::ResourceExplorer2::ManagedView", "AWS::ResourceExplorer2::View", "AWS::RUM::AppMonitor",
	"AWS::S3::AccessPoint", "AWS::S3::Object", "AWS::S3Express::AccessPoint", "AWS::S3Express::Object",
	"AWS::S3ObjectLambda::AccessPoint", "AWS::S3Outposts::Object", "AWS::S3Tables::Table",
	"AWS::S3Tables::TableBucket", "AWS::S3Vectors::Index", "AWS::S3Vectors::VectorBucket",
	"AWS::SageMaker::Endpoint", "AWS::SageMaker::ExperimentTrialComponent", "AWS::SageMaker::FeatureGroup",
	"AWS::SageMaker::Hub", "AWS::SageMaker::Job", "AWS::SageMaker::MlflowApp",
	"AWS::SageMaker::MlflowTrackingServer", "AWS::SageMaker::TrainingSession",
	"AWS::SCN::BusinessRule", "AWS::SCN::DataLakeException", "AWS::SCN::ExceptionInvestigation",
	"AWS::SCN::ExceptionRule", "AWS::SCN::Instance", "AWS::SCN::Metric", "AWS::SCN::MetricEvaluation",
	"AWS::SCN::Outcome", "AWS::SCN::OutcomeTemplate", "AWS::SDB::Domain", "AWS::ServiceDiscovery::Namespace",
	"AWS::ServiceDiscovery::Service", "AWS::SES::ConfigurationSet", "AWS::SES::EmailIdentity", "AWS::SES::Template",
	"AWS::Signer::SigningJob", "AWS::Signer::SigningProfile", "AWS::SitewiseAssistant::Conversation",
	"AWS::SMSVoice::CarrierLookup", "AWS::SMSVoice::ConfigurationSet", "AWS::SMSVoice::Message",
	"AWS::SMSVoice::NotifyConfiguration", "AWS::SMSVoice::OriginationIdentity", "AWS::SNS::PlatformEndpoint",
	"AWS::SNS::Topic", "AWS::SocialMessaging::PhoneNumberId", "AWS::SocialMessaging::WabaId", "AWS::SQS::Queue",
	"AWS::SSM::ExecutionPreview", "AWS::SSM::ManagedNode", "AWS::SSMMessages::ControlChannel",
	"AWS::StepFunctions::Activity", "AWS::StepFunctions::StateMachine", "AWS::SupportAccess::Tenant",
	"AWS::SupportAccess::TrustingAccount", "AWS::SupportAccess::TrustingRole", "AWS::SWF::Domain",
	"AWS::ThinClient::Device", "AWS::ThinClient::Environment", "AWS::Timestream::Database",
	"AWS::Timestream::RegionalEndpoint", "AWS::Timestream::Table", "AWS::Transform::AgentInstance",
	"AWS::Transform::Profile", "AWS::TransformCustom::Campaign", "AWS::TransformCustom::Conversation",
	"AWS::TransformCustom::KnowledgeItem", "AWS::TransformCustom::Package", "AWS::UXC::AccountCustomization",
	"AWS::VerifiedPermissions::PolicyStore", "AWS::WellArchitected::AgentRecommendation", "AWS::XRay::Trace",
}
