package review_test

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/internal/shareddata"
	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/review"
)

// cloudsplainingMethods are Cloudsplaining's privilege escalation methods
// as its release of the shared example's commit lists them
// (cloudsplaining/shared/constants.py, PRIVILEGE_ESCALATION_METHODS): the
// action sets, lower case, that flag a policy when all are allowed on "*".
var cloudsplainingMethods = map[string][]string{
	"CreateNewPolicyVersion":                {"iam:createpolicyversion"},
	"SetExistingDefaultPolicyVersion":       {"iam:setdefaultpolicyversion"},
	"CreateEC2WithExistingIP":               {"iam:passrole", "ec2:runinstances"},
	"CreateAccessKey":                       {"iam:createaccesskey"},
	"CreateLoginProfile":                    {"iam:createloginprofile"},
	"UpdateLoginProfile":                    {"iam:updateloginprofile"},
	"AttachUserPolicy":                      {"iam:attachuserpolicy"},
	"AttachGroupPolicy":                     {"iam:attachgrouppolicy"},
	"AttachRolePolicy":                      {"iam:attachrolepolicy", "sts:assumerole"},
	"PutUserPolicy":                         {"iam:putuserpolicy"},
	"PutGroupPolicy":                        {"iam:putgrouppolicy"},
	"PutRolePolicy":                         {"iam:putrolepolicy", "sts:assumerole"},
	"AddUserToGroup":                        {"iam:addusertogroup"},
	"UpdateRolePolicyToAssumeIt":            {"iam:updateassumerolepolicy", "sts:assumerole"},
	"PassExistingRoleToNewLambdaThenInvoke": {"iam:passrole", "lambda:createfunction", "lambda:invokefunction"},
	"PassExistingRoleToNewLambdaThenTriggerWithNewDynamo":      {"iam:passrole", "lambda:createfunction", "lambda:createeventsourcemapping", "dynamodb:createtable", "dynamodb:putitem"},
	"PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo": {"iam:passrole", "lambda:createfunction", "lambda:createeventsourcemapping"},
	"PassExistingRoleToNewGlueDevEndpoint":                     {"iam:passrole", "glue:createdevendpoint"},
	"UpdateExistingGlueDevEndpoint":                            {"glue:updatedevendpoint"},
	"PassExistingRoleToCloudFormation":                         {"iam:passrole", "cloudformation:createstack"},
	"PassExistingRoleToNewDataPipeline":                        {"iam:passrole", "datapipeline:createpipeline"},
	"EditExistingLambdaFunctionWithRole":                       {"lambda:updatefunctioncode"},
}

// cloudsplainingMethodsLatest is the list as Cloudsplaining's main branch
// has it since it took pathfinding.cloud's paths in: the role methods no
// longer need sts:AssumeRole, and 38 methods were added.
var cloudsplainingMethodsLatest = func() map[string][]string {
	m := map[string][]string{}
	for k, v := range cloudsplainingMethods {
		m[k] = v
	}
	m["AttachRolePolicy"] = []string{"iam:attachrolepolicy"}
	m["PutRolePolicy"] = []string{"iam:putrolepolicy"}
	m["UpdateRolePolicyToAssumeIt"] = []string{"iam:updateassumerolepolicy"}
	for k, v := range map[string][]string{
		"AccessExistingBedrockCodeInterpreterSession":         {"bedrock-agentcore:startcodeinterpretersession", "bedrock-agentcore:invokecodeinterpreter"},
		"ExecuteCloudFormationChangeSet":                      {"cloudformation:createchangeset", "cloudformation:executechangeset"},
		"ModifyEC2InstanceUserDataThenRestart":                {"ec2:modifyinstanceattribute", "ec2:stopinstances", "ec2:startinstances"},
		"ModifyExistingEC2LaunchTemplate":                     {"ec2:createlaunchtemplateversion", "ec2:modifylaunchtemplate"},
		"EC2InstanceConnectSendSSHPublicKey":                  {"ec2-instance-connect:sendsshpublickey", "ec2:describeinstances"},
		"ECSExecuteCommandOnRunningTask":                      {"ecs:executecommand", "ecs:describetasks"},
		"UpdateAndInvokeLambdaFunction":                       {"lambda:updatefunctioncode", "lambda:invokefunction"},
		"UpdateLambdaFunctionAndAddPermission":                {"lambda:updatefunctioncode", "lambda:addpermission"},
		"CreatePresignedSageMakerNotebookUrl":                 {"sagemaker:createpresignednotebookinstanceurl"},
		"UpdateSageMakerNotebookLifecycleConfig":              {"sagemaker:createnotebookinstancelifecycleconfig", "sagemaker:stopnotebookinstance", "sagemaker:updatenotebookinstance", "sagemaker:startnotebookinstance"},
		"PassExistingRoleToNewAppRunnerService":               {"iam:passrole", "apprunner:createservice"},
		"PassExistingRoleToNewBedrockCodeInterpreter":         {"iam:passrole", "bedrock-agentcore:createcodeinterpreter", "bedrock-agentcore:startcodeinterpretersession", "bedrock-agentcore:invokecodeinterpreter"},
		"PassExistingRoleToNewCloudFormationStackSet":         {"iam:passrole", "cloudformation:createstackset", "cloudformation:createstackinstances"},
		"PassRoleToUpdateCloudFormationStackSet":              {"iam:passrole", "cloudformation:updatestackset"},
		"PassExistingRoleToNewCodeBuildProjectThenBuild":      {"iam:passrole", "codebuild:createproject", "codebuild:startbuild"},
		"PassExistingRoleToNewCodeBuildProjectThenBuildBatch": {"iam:passrole", "codebuild:createproject", "codebuild:startbuildbatch"},
		"PassExistingRoleToNewEC2SpotInstance":                {"iam:passrole", "ec2:requestspotinstances"},
		"PassExistingRoleToNewECSClusterServiceTask":          {"iam:passrole", "ecs:createcluster", "ecs:registertaskdefinition", "ecs:createservice"},
		"PassExistingRoleToNewECSClusterRunTask":              {"iam:passrole", "ecs:createcluster", "ecs:registertaskdefinition", "ecs:runtask"},
		"PassExistingRoleToNewECSService":                     {"iam:passrole", "ecs:registertaskdefinition", "ecs:createservice"},
		"PassExistingRoleToNewECSTaskViaRunTask":              {"iam:passrole", "ecs:registertaskdefinition", "ecs:runtask"},
		"PassExistingRoleToNewECSTaskViaStartTask":            {"iam:passrole", "ecs:registertaskdefinition", "ecs:starttask"},
		"PassExistingRoleToNewGlueJobThenRun":                 {"iam:passrole", "glue:createjob", "glue:startjobrun"},
		"PassExistingRoleToNewGlueJobViaTrigger":              {"iam:passrole", "glue:createjob", "glue:createtrigger"},
		"PassExistingRoleToUpdatedGlueJobThenRun":             {"iam:passrole", "glue:updatejob", "glue:startjobrun"},
		"PassExistingRoleToUpdatedGlueJobViaTrigger":          {"iam:passrole", "glue:updatejob", "glue:createtrigger"},
		"PassExistingRoleToNewLambdaThenAddPermission":        {"iam:passrole", "lambda:createfunction", "lambda:addpermission"},
		"PassExistingRoleToNewSageMakerNotebookInstance":      {"iam:passrole", "sagemaker:createnotebookinstance"},
		"PassExistingRoleToNewSageMakerTrainingJob":           {"iam:passrole", "sagemaker:createtrainingjob"},
		"PassExistingRoleToNewSageMakerProcessingJob":         {"iam:passrole", "sagemaker:createprocessingjob"},
		"CreateAndRotateAccessKey":                            {"iam:createaccesskey", "iam:deleteaccesskey"},
		"AttachUserPolicyThenCreateAccessKey":                 {"iam:attachuserpolicy", "iam:createaccesskey"},
		"CreatePolicyVersionThenAssumeRole":                   {"iam:createpolicyversion", "sts:assumerole"},
		"PutUserPolicyThenCreateAccessKey":                    {"iam:putuserpolicy", "iam:createaccesskey"},
		"AttachRolePolicyThenUpdateAssumeRolePolicy":          {"iam:attachrolepolicy", "iam:updateassumerolepolicy"},
		"CreatePolicyVersionThenUpdateAssumeRolePolicy":       {"iam:createpolicyversion", "iam:updateassumerolepolicy"},
		"PutRolePolicyThenUpdateAssumeRolePolicy":             {"iam:putrolepolicy", "iam:updateassumerolepolicy"},
	} {
		m[k] = v
	}
	return m
}()

// cloudsplainingExcluded are the default exclusions of Cloudsplaining
// (shared/default-exclusions.yml): policies it does not report.
var cloudsplainingExcluded = []string{"AWSServiceRoleFor*", "*ServiceRolePolicy", "*ServiceLinkedRolePolicy", "AdministratorAccess", "service-role*", "aws-service-role*"}

// cloudsplainingFlags applies Cloudsplaining's rule to one policy
// document, as its PolicyDocument.allows_privilege_escalation states it:
// the actions of every statement (Allow or Deny) whose Resource is "*" and
// that holds an action with a resource type, expanded; a method flags the
// policy when all its actions are among them. Conditions, denies and
// resource-constrained statements do not count.
func cloudsplainingFlags(cat *catalog.Catalog, p *policy.Policy, methods map[string][]string) []string {
	have := map[string]bool{}
	for i := range p.Statements {
		st := &p.Statements[i]
		if !slices.Contains(st.Resource, "*") {
			continue
		}
		var acts []string
		if st.NotAction != nil {
			if st.Effect == policy.Allow {
				acts = policy.StatementActions(cat, st)
			}
		} else {
			acts = policy.StatementActions(cat, st)
		}
		restrictable := false
		for _, a := range acts {
			if ca, ok := cat.Action(a); ok && len(ca.Resources) > 0 {
				restrictable = true
			}
		}
		if !restrictable {
			continue
		}
		for _, a := range acts {
			have[strings.ToLower(a)] = true
		}
	}
	var out []string
	for name, acts := range methods {
		all := true
		for _, a := range acts {
			all = all && have[a]
		}
		if all {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// csPolicy is one policy Cloudsplaining reports on: a managed policy, or
// an inline policy (one per distinct document).
type csPolicy struct {
	name    string
	arn     string // managed policies
	holders []string
	flags   []string // by the methods of the example's release
	latest  []string // by the methods of the main branch
}

// TestCloudsplainingComparison measures the escalation analysis on
// Cloudsplaining's own example (authorization details of account
// 200611803367) with --all-principals, next to Cloudsplaining's rule
// applied to the same file. The README's table comes from this test's log
// (go test ./review -run TestCloudsplainingComparison -v).
func TestCloudsplainingComparison(t *testing.T) {
	snap := loadSnapshot(t, filepath.Join(shareddata.Dir(t, "iam", "authorization-details"), "cloudsplaining-example.json"))
	cat, err := catalog.Embedded()
	if err != nil {
		t.Fatal(err)
	}

	// Cloudsplaining's view: policies.
	excluded := func(name string) bool {
		for _, pat := range cloudsplainingExcluded {
			if ok, _ := filepath.Match(pat, name); ok {
				return true
			}
		}
		return false
	}
	var policies []*csPolicy
	byDoc := map[string]*csPolicy{}
	d := snap.Details()
	for _, mp := range d.Policies {
		if excluded(mp.PolicyName) || mp.DefaultVersion() == nil {
			continue
		}
		p, err := policy.ParseEncodedAs(mp.DefaultVersion().Document, policy.KindIdentity)
		if err != nil {
			t.Fatalf("%s: %v", mp.PolicyName, err)
		}
		policies = append(policies, &csPolicy{name: mp.PolicyName, arn: mp.ARN, flags: cloudsplainingFlags(cat, p, cloudsplainingMethods),
			latest: cloudsplainingFlags(cat, p, cloudsplainingMethodsLatest)})
	}
	inline := func(holder string, list []account.InlinePolicy) {
		for _, ip := range list {
			key := string(ip.PolicyDocument)
			if c := byDoc[key]; c != nil {
				c.holders = append(c.holders, holder)
				continue
			}
			p, err := policy.ParseEncodedAs(ip.PolicyDocument, policy.KindIdentity)
			if err != nil {
				t.Fatalf("%s of %s: %v", ip.PolicyName, holder, err)
			}
			c := &csPolicy{name: "inline " + ip.PolicyName, holders: []string{holder}, flags: cloudsplainingFlags(cat, p, cloudsplainingMethods),
				latest: cloudsplainingFlags(cat, p, cloudsplainingMethodsLatest)}
			byDoc[key] = c
			policies = append(policies, c)
		}
	}
	for _, u := range d.UserDetailList {
		inline(u.ARN, u.UserPolicyList)
	}
	for _, g := range d.GroupDetailList {
		inline(g.ARN, g.GroupPolicyList)
	}
	for _, r := range d.RoleDetailList {
		if excluded(r.RoleName) || strings.HasPrefix(r.Path, "/service-role/") || strings.HasPrefix(r.Path, "/aws-service-role/") {
			continue
		}
		inline(r.ARN, r.RolePolicyList)
	}
	var flagged []*csPolicy
	methods, latest, latestMethods := 0, 0, 0
	for _, c := range policies {
		if len(c.flags) > 0 || len(c.latest) > 0 {
			flagged = append(flagged, c)
		}
		methods += len(c.flags)
		latestMethods += len(c.latest)
		if len(c.latest) > 0 {
			latest++
		}
	}
	old := 0
	for _, c := range policies {
		if len(c.flags) > 0 {
			old++
		}
	}
	t.Logf("Cloudsplaining's rule: %d of %d policies flagged with the example's release (%d method matches), %d with the main branch's list (%d matches)",
		old, len(policies), methods, latest, latestMethods)
	// The issue reports 37 policies for this file; Cloudsplaining cannot
	// run here, and the two published method lists bracket that figure.
	if old > 37 || latest < 37 {
		t.Errorf("Cloudsplaining's rule flags %d (release list) and %d (main list) policies; the 37 reported should lie between", old, latest)
	}

	// tailor's view: paths per principal.
	rep := runReview(t, review.Input{Snapshot: snap}, review.Options{AllPrincipals: true, OwnAccounts: []string{"072528804237"},
		Now: mustTime(t, "2023-03-29T00:00:00Z")})
	type escPath struct{ principal, method, sev, grantedBy string }
	var paths []escPath
	perPrincipal := map[string]int{}
	for _, p := range rep.Principals {
		for _, f := range p.Findings {
			if f.Rule != review.RuleEscalation {
				continue
			}
			method, _, _ := strings.Cut(fact(f.Evidence, "method"), " ")
			var by []string
			for _, a := range f.Evidence.Actions {
				by = append(by, a.GrantedBy)
			}
			paths = append(paths, escPath{p.Name, method, f.Severity.String(), strings.Join(by, "; ")})
			perPrincipal[p.Name]++
		}
	}
	bySev := map[string]int{}
	byMethod := map[string]int{}
	for _, p := range paths {
		bySev[p.sev]++
		byMethod[p.method]++
	}
	t.Logf("tailor --all-principals: %d paths in %d principals (critical %d, high %d, medium %d, low %d)",
		len(paths), len(perPrincipal), bySev["critical"], bySev["high"], bySev["medium"], bySev["low"])
	for _, m := range keysSorted(byMethod) {
		t.Logf("  %-50s %d", m, byMethod[m])
	}

	// Principals of BishopFox's iam-vulnerable cases the file holds:
	// false positives of a per-policy reading, which hold no path, and
	// false negatives, which do.
	for _, name := range []string{"fp1-allow-and-deny-user", "fp1-allow-and-deny-role", "fp2-allow-and-deny-multiple-policies-user",
		"fp2-allow-and-deny-multiple-policies-role", "fp3-deny-iam-user", "fp3-deny-iam-role", "fp4-nonExploitableResourceConstraint-user",
		"fp4-nonExploitableResourceConstraint-role", "fp5-nonExploitableConditionConstraint-role"} {
		if n := perPrincipal[name]; n > 0 {
			t.Errorf("%s: %d paths, want none", name, n)
		}
	}
	for _, name := range []string{"fn1-privesc3-partial-user", "fn1-privesc3-partial-role", "fn2-exploitableResourceConstraint-user",
		"fn2-exploitableResourceConstraint-role", "fn3-exploitableConditionConstraint-role", "fn4-exploitableNotAction-user", "fn4-exploitableNotAction-role"} {
		if perPrincipal[name] == 0 {
			t.Errorf("%s: no path, want one", name)
		}
	}

	// Per policy: Cloudsplaining's flags next to the paths tailor finds
	// through the policy for the principals that hold it.
	holders := map[string][]string{}
	for _, r := range d.RoleDetailList {
		for _, a := range r.AttachedManagedPolicies {
			holders[a.PolicyARN] = append(holders[a.PolicyARN], r.RoleName)
		}
	}
	for _, u := range d.UserDetailList {
		for _, a := range u.AttachedManagedPolicies {
			holders[a.PolicyARN] = append(holders[a.PolicyARN], u.UserName)
		}
	}
	for _, g := range d.GroupDetailList {
		for _, a := range g.AttachedManagedPolicies {
			holders[a.PolicyARN] = append(holders[a.PolicyARN], g.GroupName)
		}
	}
	slices.SortFunc(policies, func(a, b *csPolicy) int { return cmp.Compare(a.name, b.name) })
	var onlyCS, onlyTailor []string
	for _, c := range policies {
		label := fmt.Sprintf("%q", strings.TrimPrefix(c.name, "inline "))
		through := 0
		for _, p := range paths {
			if strings.Contains(p.grantedBy, label) {
				through++
			}
		}
		n := len(c.holders)
		if c.arn != "" {
			n = len(holders[c.arn])
		}
		if len(c.flags)+len(c.latest)+through == 0 {
			continue
		}
		t.Logf("  %-52s held by %d  Cloudsplaining %2d / %2d methods  tailor %2d paths", c.name, n, len(c.flags), len(c.latest), through)
		switch {
		case len(c.latest) > 0 && through == 0:
			onlyCS = append(onlyCS, c.name)
		case len(c.latest) == 0 && through > 0:
			onlyTailor = append(onlyTailor, c.name)
		}
	}
	// Every difference is one the README explains.
	wantOnlyCS := []string{
		"AmazonEC2FullAccess", "IAMFullAccess", "PowerUserAccess", // held by no one
		"deny-all", "fp1-allow-and-deny", "fp2-allow-all", "fp3-deny-iam", // closed by a Deny
		"privesc2-SetExistingDefaultPolicyVersion", // no other version to switch to
	}
	wantOnlyTailor := []string{
		"fn1-passrole-star", "fn1-privesc3-partial", // the path spans two policies
		"fn2-exploitableResourceConstraint",                               // Resource names the policy itself, not "*"
		"privesc-ssmSendCommand-policy", "privesc-ssmStartSession-policy", // no SSM method in Cloudsplaining's lists
	}
	if !slices.Equal(onlyCS, wantOnlyCS) {
		t.Errorf("flagged by Cloudsplaining's rule only: %v, want %v", onlyCS, wantOnlyCS)
	}
	if !slices.Equal(onlyTailor, wantOnlyTailor) {
		t.Errorf("paths found by tailor only: %v, want %v", onlyTailor, wantOnlyTailor)
	}
}

func keysSorted[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
