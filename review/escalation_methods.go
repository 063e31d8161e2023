package review

// An escalation method is a known way for a principal to gain permissions
// it was not given, as the public catalogues list them: Rhino Security
// Labs' "AWS IAM Privilege Escalation Methods" (21 methods, 2018),
// Cloudsplaining's list built on it, and pathfinding.cloud's later
// additions (CodeBuild, SageMaker, ECS, SSM). Each is a set of steps, each
// an action on a kind of resource; the principal holds the path when its
// effective permissions (identity policies, boundary, denies) allow every
// step on a resource that exists in the snapshot.
type escalationMethod struct {
	id    string // the method's name, as the catalogues call it
	title string
	how   string // how the principal gains, for people
	ref   string // the catalogue entries it stands for
	// kinds are the principal kinds the method applies to.
	kinds []string
	// steps are the actions; the one with onTarget is checked on each
	// target, the others on any resource of their kind.
	steps []escStep
	// target says which resources of the snapshot the path reaches.
	target escTarget
	// service is the service principal a passed or used role must trust.
	service string
	// unbounded: the principal can give itself any permission.
	unbounded bool
}

type escStep struct {
	action   string
	onTarget bool // evaluated on each target (else on any resource)
}

// escTarget is the kind of resource a path reaches.
type escTarget int

const (
	escSelf              escTarget = iota // the principal itself
	escOtherUsers                         // users other than the principal
	escOwnGroups                          // the user's groups
	escOtherGroups                        // groups the user is not in
	escOwnPolicies                        // customer managed policies attached to the principal
	escOtherPolicies                      // customer managed policies attached to others
	escVersionedPolicies                  // customer managed policies with a non-default version
	escPassable                           // roles trusting the service (for ec2: with an instance profile), passed
	escServiceRoles                       // roles trusting the service: what existing resources run as
	escAssumableRoles                     // other roles whose trust admits the principal
	escOtherRoles                         // other roles
)

// passTo is the step every PassRole method starts with.
var passRole = escStep{"iam:PassRole", true}

// escalationMethods are the methods the review checks. The catalogues'
// names are kept so that a finding can be looked up in them.
var escalationMethods = []escalationMethod{
	{id: "CreateAccessKey", title: "Create access keys for another user", ref: "Rhino 4; Cloudsplaining CreateAccessKey",
		how: "creates an access key for another user and acts as that user", kinds: []string{KindRole, KindUser},
		steps: []escStep{{"iam:CreateAccessKey", true}}, target: escOtherUsers},
	{id: "CreateLoginProfile", title: "Give another user a console password", ref: "Rhino 5; Cloudsplaining CreateLoginProfile",
		how: "sets a console password for a user that has none and signs in as that user", kinds: []string{KindRole, KindUser},
		steps: []escStep{{"iam:CreateLoginProfile", true}}, target: escOtherUsers},
	{id: "UpdateLoginProfile", title: "Reset another user's console password", ref: "Rhino 6; Cloudsplaining UpdateLoginProfile",
		how: "changes another user's console password and signs in as that user", kinds: []string{KindRole, KindUser},
		steps: []escStep{{"iam:UpdateLoginProfile", true}}, target: escOtherUsers},
	{id: "AddUserToGroup", title: "Join a group", ref: "Rhino 13; Cloudsplaining AddUserToGroup",
		how: "adds itself to a group and gains the group's policies", kinds: []string{KindUser},
		steps: []escStep{{"iam:AddUserToGroup", true}}, target: escOtherGroups},
	{id: "CreateNewPolicyVersion", title: "Rewrite its own managed policy", ref: "Rhino 1; Cloudsplaining CreateNewPolicyVersion",
		how: "writes a new default version of a policy attached to it, granting anything", kinds: []string{KindRole, KindUser},
		steps: []escStep{{"iam:CreatePolicyVersion", true}}, target: escOwnPolicies, unbounded: true},
	{id: "CreateNewPolicyVersionOfOthers", title: "Rewrite another principal's managed policy", ref: "Rhino 1; Cloudsplaining CreateNewPolicyVersion",
		how: "writes a new default version of a policy attached to another principal, which it can then use", kinds: []string{KindRole, KindUser},
		steps: []escStep{{"iam:CreatePolicyVersion", true}}, target: escOtherPolicies},
	{id: "SetExistingDefaultPolicyVersion", title: "Switch a managed policy to another version", ref: "Rhino 2; Cloudsplaining SetExistingDefaultPolicyVersion",
		how: "makes an older or newer version of a policy attached to it the default", kinds: []string{KindRole, KindUser},
		steps: []escStep{{"iam:SetDefaultPolicyVersion", true}}, target: escVersionedPolicies},
	{id: "AttachUserPolicy", title: "Attach any managed policy to itself", ref: "Rhino 7; Cloudsplaining AttachUserPolicy",
		how: "attaches a managed policy such as AdministratorAccess to itself", kinds: []string{KindUser},
		steps: []escStep{{"iam:AttachUserPolicy", true}}, target: escSelf, unbounded: true},
	{id: "PutUserPolicy", title: "Write its own inline policy", ref: "Rhino 10; Cloudsplaining PutUserPolicy",
		how: "writes an inline policy granting anything into itself", kinds: []string{KindUser},
		steps: []escStep{{"iam:PutUserPolicy", true}}, target: escSelf, unbounded: true},
	{id: "AttachGroupPolicy", title: "Attach any managed policy to its group", ref: "Rhino 8; Cloudsplaining AttachGroupPolicy",
		how: "attaches a managed policy to a group it is in", kinds: []string{KindUser},
		steps: []escStep{{"iam:AttachGroupPolicy", true}}, target: escOwnGroups, unbounded: true},
	{id: "PutGroupPolicy", title: "Write its group's inline policy", ref: "Rhino 11; Cloudsplaining PutGroupPolicy",
		how: "writes an inline policy granting anything into a group it is in", kinds: []string{KindUser},
		steps: []escStep{{"iam:PutGroupPolicy", true}}, target: escOwnGroups, unbounded: true},
	{id: "AttachRolePolicy", title: "Attach any managed policy to its role", ref: "Rhino 9; Cloudsplaining AttachRolePolicy",
		how: "attaches a managed policy such as AdministratorAccess to the role it acts as", kinds: []string{KindRole},
		steps: []escStep{{"iam:AttachRolePolicy", true}}, target: escSelf, unbounded: true},
	{id: "PutRolePolicy", title: "Write its role's inline policy", ref: "Rhino 12; Cloudsplaining PutRolePolicy",
		how: "writes an inline policy granting anything into the role it acts as", kinds: []string{KindRole},
		steps: []escStep{{"iam:PutRolePolicy", true}}, target: escSelf, unbounded: true},
	{id: "AttachRolePolicyThenAssumeRole", title: "Attach a policy to a role it can assume", ref: "Rhino 9; pathfinding.cloud iam-009",
		how: "attaches a managed policy to another role whose trust admits it, then assumes that role", kinds: []string{KindRole, KindUser},
		steps: []escStep{{"iam:AttachRolePolicy", true}, {"sts:AssumeRole", true}}, target: escAssumableRoles, unbounded: true},
	{id: "PutRolePolicyThenAssumeRole", title: "Write a policy into a role it can assume", ref: "Rhino 12; pathfinding.cloud iam-005",
		how: "writes an inline policy into another role whose trust admits it, then assumes that role", kinds: []string{KindRole, KindUser},
		steps: []escStep{{"iam:PutRolePolicy", true}, {"sts:AssumeRole", true}}, target: escAssumableRoles, unbounded: true},
	{id: "UpdateRolePolicyToAssumeIt", title: "Rewrite a role's trust and assume it", ref: "Rhino 14; Cloudsplaining UpdateRolePolicyToAssumeIt",
		how: "changes another role's trust policy to admit itself, then assumes the role", kinds: []string{KindRole, KindUser},
		steps: []escStep{{"iam:UpdateAssumeRolePolicy", true}, {"sts:AssumeRole", true}}, target: escOtherRoles},
	{id: "CreateEC2WithExistingIP", title: "Pass a role to a new EC2 instance", ref: "Rhino 3; Cloudsplaining CreateEC2WithExistingIP",
		how: "launches an instance with an existing instance profile and takes its role's credentials from the metadata service", kinds: []string{KindRole, KindUser},
		steps: []escStep{passRole, {"ec2:RunInstances", false}}, target: escPassable, service: "ec2.amazonaws.com"},
	{id: "PassExistingRoleToNewLambdaThenInvoke", title: "Pass a role to a new Lambda function and invoke it", ref: "Rhino 15; Cloudsplaining PassExistingRoleToNewLambdaThenInvoke",
		how: "creates a function that runs with the role and invokes it", kinds: []string{KindRole, KindUser},
		steps: []escStep{passRole, {"lambda:CreateFunction", false}, {"lambda:InvokeFunction", false}}, target: escPassable, service: "lambda.amazonaws.com"},
	{id: "PassExistingRoleToNewLambdaThenTriggerWithDynamo", title: "Pass a role to a new Lambda function triggered by DynamoDB", ref: "Rhino 16; Cloudsplaining PassExistingRoleToNewLambdaThenTriggerWith*Dynamo",
		how: "creates a function that runs with the role and maps a DynamoDB stream to it", kinds: []string{KindRole, KindUser},
		steps: []escStep{passRole, {"lambda:CreateFunction", false}, {"lambda:CreateEventSourceMapping", false}}, target: escPassable, service: "lambda.amazonaws.com"},
	{id: "PassExistingRoleToNewGlueDevEndpoint", title: "Pass a role to a new Glue development endpoint", ref: "Rhino 18; Cloudsplaining PassExistingRoleToNewGlueDevEndpoint",
		how: "creates a Glue development endpoint with the role and logs in to it", kinds: []string{KindRole, KindUser},
		steps: []escStep{passRole, {"glue:CreateDevEndpoint", false}}, target: escPassable, service: "glue.amazonaws.com"},
	{id: "PassExistingRoleToCloudFormation", title: "Pass a role to a new CloudFormation stack", ref: "Rhino 20; Cloudsplaining PassExistingRoleToCloudFormation",
		how: "creates a stack that CloudFormation deploys with the role's permissions", kinds: []string{KindRole, KindUser},
		steps: []escStep{passRole, {"cloudformation:CreateStack", false}}, target: escPassable, service: "cloudformation.amazonaws.com"},
	{id: "PassExistingRoleToNewDataPipeline", title: "Pass a role to a new Data Pipeline", ref: "Rhino 21; Cloudsplaining PassExistingRoleToNewDataPipeline",
		how: "creates a pipeline whose activities run commands with the role", kinds: []string{KindRole, KindUser},
		steps: []escStep{passRole, {"datapipeline:CreatePipeline", false}, {"datapipeline:PutPipelineDefinition", false}}, target: escPassable, service: "datapipeline.amazonaws.com"},
	{id: "PassExistingRoleToNewCodeBuildProjectThenBuild", title: "Pass a role to a new CodeBuild project and build", ref: "pathfinding.cloud codebuild-001; Cloudsplaining PassExistingRoleToNewCodeBuildProjectThenBuild",
		how: "creates a build project that runs its commands with the role", kinds: []string{KindRole, KindUser},
		steps: []escStep{passRole, {"codebuild:CreateProject", false}, {"codebuild:StartBuild", false}}, target: escPassable, service: "codebuild.amazonaws.com"},
	{id: "PassExistingRoleToNewSageMakerNotebookInstance", title: "Pass a role to a new SageMaker notebook", ref: "pathfinding.cloud sagemaker-001; Cloudsplaining PassExistingRoleToNewSageMakerNotebookInstance",
		how: "creates a notebook instance with the role and opens it", kinds: []string{KindRole, KindUser},
		steps: []escStep{passRole, {"sagemaker:CreateNotebookInstance", false}, {"sagemaker:CreatePresignedNotebookInstanceUrl", false}}, target: escPassable, service: "sagemaker.amazonaws.com"},
	{id: "PassExistingRoleToNewSageMakerTrainingJob", title: "Pass a role to a new SageMaker training job", ref: "pathfinding.cloud sagemaker-002; Cloudsplaining PassExistingRoleToNewSageMakerTrainingJob",
		how: "runs a training job, its own container, with the role", kinds: []string{KindRole, KindUser},
		steps: []escStep{passRole, {"sagemaker:CreateTrainingJob", false}}, target: escPassable, service: "sagemaker.amazonaws.com"},
	{id: "PassExistingRoleToNewECSTaskViaRunTask", title: "Pass a role to a new ECS task", ref: "pathfinding.cloud ecs-004; Cloudsplaining PassExistingRoleToNewECSTaskViaRunTask",
		how: "registers a task definition with the role and runs it", kinds: []string{KindRole, KindUser},
		steps: []escStep{passRole, {"ecs:RegisterTaskDefinition", false}, {"ecs:RunTask", false}}, target: escPassable, service: "ecs-tasks.amazonaws.com"},
	{id: "PassExistingRoleToNewSageMakerProcessingJob", title: "Pass a role to a new SageMaker processing job", ref: "pathfinding.cloud sagemaker-003; Cloudsplaining PassExistingRoleToNewSageMakerProcessingJob",
		how: "runs a processing job, its own container, with the role", kinds: []string{KindRole, KindUser},
		steps: []escStep{passRole, {"sagemaker:CreateProcessingJob", false}}, target: escPassable, service: "sagemaker.amazonaws.com"},
	{id: "CreatePresignedSageMakerNotebookUrl", title: "Open an existing SageMaker notebook", ref: "pathfinding.cloud sagemaker-004; Cloudsplaining CreatePresignedSageMakerNotebookUrl",
		how: "opens an existing notebook instance and uses its role from the notebook's terminal", kinds: []string{KindRole, KindUser},
		steps: []escStep{{"sagemaker:CreatePresignedNotebookInstanceUrl", false}}, target: escServiceRoles, service: "sagemaker.amazonaws.com"},
	{id: "EC2InstanceConnectSendSSHPublicKey", title: "Log in to instances with stronger roles", ref: "pathfinding.cloud ec2-004; Cloudsplaining EC2InstanceConnectSendSSHPublicKey",
		how: "pushes an SSH key with EC2 Instance Connect, logs in to an instance and uses its instance profile's role", kinds: []string{KindRole, KindUser},
		steps: []escStep{{"ec2-instance-connect:SendSSHPublicKey", false}}, target: escServiceRoles, service: "ec2.amazonaws.com"},
	{id: "EditExistingLambdaFunctionWithRole", title: "Replace the code of a Lambda function", ref: "Rhino 17; Cloudsplaining EditExistingLambdaFunctionWithRole",
		how: "replaces the code of an existing function, which runs with its role", kinds: []string{KindRole, KindUser},
		steps: []escStep{{"lambda:UpdateFunctionCode", false}}, target: escServiceRoles, service: "lambda.amazonaws.com"},
	{id: "UpdateExistingGlueDevEndpoint", title: "Log in to an existing Glue development endpoint", ref: "Rhino 19; Cloudsplaining UpdateExistingGlueDevEndpoint",
		how: "adds its SSH key to an existing development endpoint and uses the endpoint's role", kinds: []string{KindRole, KindUser},
		steps: []escStep{{"glue:UpdateDevEndpoint", false}}, target: escServiceRoles, service: "glue.amazonaws.com"},
	{id: "SSMSendCommandOnInstance", title: "Run commands on instances with stronger roles", ref: "pathfinding.cloud ssm-002; Cloudsplaining AssumableByComputeService",
		how: "runs commands through Systems Manager on an instance and uses its instance profile's role", kinds: []string{KindRole, KindUser},
		steps: []escStep{{"ssm:SendCommand", false}}, target: escServiceRoles, service: "ec2.amazonaws.com"},
	{id: "SSMStartSessionOnInstance", title: "Open a shell on instances with stronger roles", ref: "pathfinding.cloud ssm-001",
		how: "opens a Session Manager shell on an instance and uses its instance profile's role", kinds: []string{KindRole, KindUser},
		steps: []escStep{{"ssm:StartSession", false}}, target: escServiceRoles, service: "ec2.amazonaws.com"},
	{id: "ExecuteCloudFormationChangeSet", title: "Change a stack that deploys with a stronger role", ref: "pathfinding.cloud cloudformation-005; Cloudsplaining ExecuteCloudFormationChangeSet",
		how: "creates and executes a change set on a stack whose service role deploys it", kinds: []string{KindRole, KindUser},
		steps: []escStep{{"cloudformation:CreateChangeSet", false}, {"cloudformation:ExecuteChangeSet", false}}, target: escServiceRoles, service: "cloudformation.amazonaws.com"},
}
