package review_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/review"
	"github.com/tailor-sec/tailor/usage"
)

// escalations maps each principal (by name) to its escalation paths: the
// method (from the evidence) and the severity.
func escalations(rep *review.Report) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, p := range rep.Principals {
		for _, f := range p.Findings {
			if f.Rule != review.RuleEscalation {
				continue
			}
			method, _, _ := strings.Cut(fact(f.Evidence, "method"), " ")
			if out[p.Name] == nil {
				out[p.Name] = map[string]string{}
			}
			out[p.Name][method] = f.Severity.String()
		}
	}
	return out
}

// TestEscalationPaths reviews testdata/escalation/escalation.json: roles
// of account 111122223333 trusted by 444455556666, each holding one kind
// of path (or not), and the roles and users the paths reach: LambdaAdmin
// and InstanceAdmin ("*" on "*"; InstanceAdmin with an instance profile,
// InstanceNoProfile without), LambdaReader (reads any object), the users
// admin ("*") and intern (PutUserPolicy on itself, in group Readers).
func TestEscalationPaths(t *testing.T) {
	snap := loadSnapshot(t, filepath.Join("testdata", "escalation", "escalation.json"))
	rep := runReview(t, review.Input{Snapshot: snap}, review.Options{Now: mustTime(t, "2025-07-01T00:00:00Z")})
	got := escalations(rep)
	want := map[string]map[string]string{
		// PassRole on "*" and Lambda: both lambda roles, stronger than it.
		"VendorPassLambda": {"PassExistingRoleToNewLambdaThenInvoke": "high"},
		// The same, but PassRole only to EC2: instances, through the one
		// role with an instance profile.
		"VendorPassToEC2Only": {"CreateEC2WithExistingIP": "high"},
		// PassRole only on LambdaReader, which reads any object: still
		// more than the vendor may.
		"VendorPassReaderOnly": {"PassExistingRoleToNewLambdaThenInvoke": "high"},
		// AttachRolePolicy on its own role: anything.
		"VendorSelfAttach": {"AttachRolePolicy": "critical"},
		// CreateAccessKey on "*": both users.
		"VendorKeys": {"CreateAccessKey": "high"},
		// UpdateFunctionCode: the functions run as the lambda roles.
		"VendorCodeUpdate": {"EditExistingLambdaFunctionWithRole": "high"},
		// SendCommand only on instances tagged for it: a condition the
		// review cannot decide, one grade down.
		"VendorSSM": {"SSMSendCommandOnInstance": "medium"},
		// Its own managed policy: a new version grants anything; and v1,
		// not the default, is "*".
		"VendorPolicyVersion": {"CreateNewPolicyVersion": "critical", "SetExistingDefaultPolicyVersion": "high"},
		// UpdateAssumeRolePolicy and sts:AssumeRole on "*": any role.
		"VendorTrustRewrite": {"UpdateRolePolicyToAssumeIt": "high"},
	}
	// No path: a boundary denies lambda:CreateFunction; AttachRolePolicy
	// on a role it cannot assume; iam:* with every method's action denied.
	for _, none := range []string{"VendorPassLambdaBoundary", "VendorOtherAttach", "VendorKeysDenied"} {
		if got[none] != nil {
			t.Errorf("%s: unexpected paths %v", none, got[none])
		}
	}
	sameFindings(t, got, want)
	if got["intern"] != nil {
		t.Errorf("intern is internal, and was analysed without AllPrincipals: %v", got["intern"])
	}

	// The finding names the actions, the statements and the targets.
	f := finding(rep, "role/VendorPassLambda", review.RuleEscalation)
	if !strings.Contains(f.Evidence.Summary, "iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction on role LambdaAdmin, role LambdaReader") {
		t.Errorf("summary = %q", f.Evidence.Summary)
	}
	if len(f.Evidence.Actions) != 3 || f.Evidence.Actions[0].GrantedBy == "" {
		t.Errorf("actions = %+v, want the three steps with the statements that grant them", f.Evidence.Actions)
	}
	if !strings.Contains(string(f.Remedy.Boundary), `"iam:PassRole"`) || !strings.Contains(string(f.Remedy.Boundary), "role/LambdaAdmin") {
		t.Errorf("boundary = %s, want a Deny of iam:PassRole on the roles it reaches", f.Remedy.Boundary)
	}
}

// TestEscalationAllPrincipals applies the analysis to internal principals.
func TestEscalationAllPrincipals(t *testing.T) {
	snap := loadSnapshot(t, filepath.Join("testdata", "escalation", "escalation.json"))
	rep := runReview(t, review.Input{Snapshot: snap}, review.Options{AllPrincipals: true, Now: mustTime(t, "2025-07-01T00:00:00Z")})
	got := escalations(rep)
	// intern may write its own inline policy.
	if got["intern"]["PutUserPolicy"] != "critical" {
		t.Errorf("intern: %v, want PutUserPolicy critical", got["intern"])
	}
	p := principal(rep, "user/intern")
	if p == nil || p.ThirdParty || !strings.Contains(strings.Join(p.Reasons, ";"), "--all-principals") {
		t.Errorf("intern = %+v, want an internal principal entry", p)
	}
	// The admins hold every path on "*"; they are not third parties.
	if got["LambdaAdmin"]["AttachRolePolicy"] != "critical" || got["admin"]["CreateAccessKey"] == "" {
		t.Errorf("admins: %v %v", got["LambdaAdmin"], got["admin"])
	}
	if !rep.AllPrincipals {
		t.Error("the report does not say internal principals were analysed")
	}
}

// TestEscalationUsedGradesUp: a path whose step the logs show used is one
// grade worse.
func TestEscalationUsedGradesUp(t *testing.T) {
	snap := loadSnapshot(t, filepath.Join("testdata", "escalation", "escalation.json"))
	events := []usage.Activity{{Time: time.Date(2025, 6, 20, 10, 0, 0, 0, time.UTC), Account: "111122223333", Region: "us-east-1",
		Principal: "arn:aws:iam::111122223333:role/VendorPassLambda", PrincipalType: "AssumedRole", PrincipalAccount: "111122223333",
		CallerAccount: "444455556666", EventSource: "lambda.amazonaws.com", EventName: "CreateFunction20150331", EventID: "e1",
		Resources: []string{"arn:aws:lambda:us-east-1:111122223333:function:x"}}}
	in := review.Input{Snapshot: snap, Events: func(fn func(*usage.Activity) error) error {
		for i := range events {
			if err := fn(&events[i]); err != nil {
				return err
			}
		}
		return nil
	}}
	rep := runReview(t, in, review.Options{})
	got := escalations(rep)
	if got["VendorPassLambda"]["PassExistingRoleToNewLambdaThenInvoke"] != "critical" {
		t.Errorf("VendorPassLambda: %v, want the Lambda path critical once CreateFunction was used", got["VendorPassLambda"])
	}
	f := finding(rep, "role/VendorPassLambda", review.RuleEscalation)
	if u := fact(f.Evidence, "usage"); !strings.Contains(u, "using some of these actions") {
		t.Errorf("usage = %q", u)
	}
	// Unused elsewhere: the logs say so.
	if f := finding(rep, "role/VendorKeys", review.RuleEscalation); fact(f.Evidence, "usage") != "none of these actions used in the window" {
		t.Errorf("VendorKeys usage = %q", fact(f.Evidence, "usage"))
	}
}
