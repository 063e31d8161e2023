package review_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/internal/shareddata"
	"github.com/tailor-sec/tailor/review"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		source, name, category string
	}{
		{"iam.amazonaws.com", "CreateAccessKey", review.CategoryPersistence},
		{"iam.amazonaws.com", "UpdateAssumeRolePolicy", review.CategoryPersistence},
		{"lambda.amazonaws.com", "UpdateFunctionCode20150331v2", review.CategoryPersistence},
		{"lambda.amazonaws.com", "AddPermission20150331v2", review.CategoryPersistence},
		{"s3.amazonaws.com", "GetObject", review.CategoryDataRead},
		{"kms.amazonaws.com", "Decrypt", review.CategoryDataRead},
		{"secretsmanager.amazonaws.com", "GetSecretValue", review.CategoryDataRead},
		{"ec2.amazonaws.com", "TerminateInstances", review.CategoryDestructive},
		{"ec2.amazonaws.com", "StopInstances", review.CategoryDestructive},
		{"rds.amazonaws.com", "DeleteDBInstance", review.CategoryDestructive},
		{"guardduty.amazonaws.com", "DisableOrganizationAdminAccount", review.CategoryDestructive},
		{"iam.amazonaws.com", "DetachRolePolicy", review.CategoryDestructive},
		{"ec2.amazonaws.com", "ModifySnapshotAttribute", review.CategoryExposure},
		{"s3.amazonaws.com", "PutBucketPolicy", review.CategoryExposure},
		{"ssm.amazonaws.com", "SendCommand", review.CategoryExecution},
		// Not in a sweep: reads of metadata, ending one's own session,
		// verbs that only look like destructive ones.
		{"ec2.amazonaws.com", "DescribeInstances", ""},
		{"ssm.amazonaws.com", "TerminateSession", ""},
		{"ec2.amazonaws.com", "DetachVolume", ""},
		{"sts.amazonaws.com", "AssumeRole", ""},
		{"ec2.amazonaws.com", "Deleted", ""},
		{"signin.amazonaws.com", "ConsoleLogin", ""},
	}
	for _, tt := range tests {
		t.Run(tt.source+"/"+tt.name, func(t *testing.T) {
			cat, reason, ok := review.Classify(tt.source, tt.name)
			if ok != (tt.category != "") || cat != tt.category {
				t.Fatalf("Classify = %q, %q, %v; want %q", cat, reason, ok, tt.category)
			}
			if ok && reason == "" {
				t.Error("no reason")
			}
		})
	}
}

// TestSweepStratus sweeps each Stratus Red Team detonation log of the
// shared corpus. The expected entries were counted in the files (event
// name and errorCode of each record): "category event calls/denied/errors".
func TestSweepStratus(t *testing.T) {
	dir := shareddata.Dir(t, "cloudtrail", "stratus-red-team-detonation-logs")
	want := map[string][]string{
		"aws.credential-access.ec2-get-password-data.json":                 {"data-read ec2:GetPasswordData 30/30/0"},
		"aws.credential-access.ec2-steal-instance-credentials.json":        {"execution ssm:SendCommand 1/0/0"},
		"aws.credential-access.secretsmanager-batch-retrieve-secrets.json": {"data-read secretsmanager:BatchGetSecretValue 5/0/0"},
		"aws.credential-access.secretsmanager-retrieve-secrets.json":       {"data-read secretsmanager:GetSecretValue 20/0/0"},
		"aws.credential-access.ssm-retrieve-securestring-parameters.json":  {"data-read ssm:GetParameters 5/0/0"},
		"aws.defense-evasion.cloudtrail-delete.json":                       {"destructive cloudtrail:DeleteTrail 1/0/0"},
		"aws.defense-evasion.cloudtrail-event-selectors.json":              {"destructive cloudtrail:PutEventSelectors 1/0/0"},
		"aws.defense-evasion.cloudtrail-stop.json":                         {"destructive cloudtrail:StopLogging 1/0/0"},
		"aws.defense-evasion.dns-delete-logs.json":                         {"destructive route53resolver:DeleteResolverQueryLogConfig 1/0/0"},
		"aws.defense-evasion.organizations-leave.json":                     {"destructive organizations:LeaveOrganization 1/1/0"},
		"aws.defense-evasion.vpc-remove-flow-logs.json":                    {"destructive ec2:DeleteFlowLogs 1/0/0"},
		"aws.discovery.ec2-download-user-data.json":                        {"data-read ec2:DescribeInstanceAttribute 15/15/0"},
		"aws.execution.ec2-launch-unusual-instances.json":                  {"execution ec2:RunInstances 1/1/0"},
		"aws.execution.ec2-user-data.json":                                 {"persistence ec2:ModifyInstanceAttribute 1/0/0", "destructive ec2:StopInstances 1/0/0"},
		"aws.execution.ssm-send-command.json":                              {"execution ssm:SendCommand 1/0/0"},
		"aws.execution.ssm-start-session.json":                             {"execution ssm:StartSession 3/0/0"},
		"aws.exfiltration.ec2-security-group-open-port-22-ingress.json":    {"exposure ec2:AuthorizeSecurityGroupIngress 1/0/0"},
		"aws.exfiltration.ec2-share-ami.json":                              {"exposure ec2:ModifyImageAttribute 1/0/0"},
		"aws.exfiltration.ec2-share-ebs-snapshot.json":                     {"exposure ec2:ModifySnapshotAttribute 1/0/0"},
		"aws.exfiltration.rds-share-snapshot.json":                         {"exposure rds:ModifyDBSnapshotAttribute 1/0/0"},
		"aws.impact.bedrock-invoke-model.json":                             {"execution bedrock:InvokeModel 1/0/0"},
		"aws.initial-access.console-login-without-mfa.json":                {},
		"aws.lateral-movement.ec2-instance-connect.json":                   {"execution ec2-instance-connect:SendSSHPublicKey 3/0/0"},
		"aws.lateral-movement.ec2-serial-console-send-ssh-public-key.json": {"exposure ec2:EnableSerialConsoleAccess 1/0/0", "execution ec2-instance-connect:SendSerialConsoleSSHPublicKey 3/0/0"},
		"aws.persistence.iam-backdoor-role.json":                           {"persistence iam:UpdateAssumeRolePolicy 1/0/0"},
		"aws.persistence.iam-backdoor-user.json":                           {"persistence iam:CreateAccessKey 1/0/0"},
		"aws.persistence.iam-create-admin-user.json":                       {"persistence iam:AttachUserPolicy 1/0/0", "persistence iam:CreateAccessKey 1/0/0", "persistence iam:CreateUser 1/0/0"},
		"aws.persistence.iam-create-backdoor-role.json":                    {"persistence iam:AttachRolePolicy 1/0/0", "persistence iam:CreateRole 1/0/0"},
		// DeleteLoginProfile failed with EntityTemporarilyUnmodifiableException:
		// an error, not a refusal.
		"aws.persistence.iam-create-user-login-profile.json":          {"persistence iam:CreateLoginProfile 1/0/0", "destructive iam:DeleteLoginProfile 1/0/1"},
		"aws.persistence.lambda-backdoor-function.json":               {"persistence lambda:AddPermission 1/0/0"},
		"aws.persistence.lambda-layer-extension.json":                 {"persistence lambda:UpdateFunctionConfiguration 1/0/0"},
		"aws.persistence.lambda-overwrite-code.json":                  {"persistence lambda:UpdateFunctionCode 1/0/0"},
		"aws.persistence.rolesanywhere-create-trust-anchor.json":      {"persistence rolesanywhere:CreateProfile 1/0/0", "persistence rolesanywhere:CreateTrustAnchor 1/0/0"},
		"aws.persistence.sts-federation-token.json":                   {"persistence sts:GetFederationToken 1/0/0"},
		"aws.privilege-escalation.iam-update-user-login-profile.json": {"persistence iam:UpdateLoginProfile 1/0/0"},
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Errorf("%d files, %d expectations", len(files), len(want))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			w, ok := want[name]
			if !ok {
				t.Fatal("no expectation for this file")
			}
			_, events := ingestLogs(t, f)
			tl, err := review.BuildTimeline(context.Background(), scanner(events), review.Selection{}, review.TimelineOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range tl.Sweep {
				got = append(got, fmt.Sprintf("%s %s %d/%d/%d", e.Category, e.Event, e.Calls, e.Denied, e.Errors))
			}
			slices.Sort(got)
			w = slices.Clone(w)
			slices.Sort(w)
			if !slices.Equal(got, w) {
				t.Errorf("sweep\n got %q\nwant %q", got, w)
			}
		})
	}
}

// TestSessionsStratus checks the sessions of three detonations, read from
// the files: who assumed which role with which key, and what each key did.
func TestSessionsStratus(t *testing.T) {
	dir := shareddata.Dir(t, "cloudtrail", "stratus-red-team-detonation-logs")
	type session struct {
		id, principal, assumedBy string
		actions                  string // "event calls/denied", comma-separated, by first call
	}
	tests := []struct {
		file, selector, since string
		want                  []session
		firsts                []string // "kind value"
	}{
		// christophe (key AKIAWOGXN38MFN92ING5) is refused the role twice
		// at 21:31:10 and 21:31:12, then assumes it twice at 21:31:15
		// (keys ASIA7RQR64ZW9JXKWPUO and ASIANQQHHS551LWULIWD); the second
		// key makes 30 GetPasswordData calls, all refused. The refused
		// AssumeRole records have requestParameters null: they name the
		// role only in their error message, so selecting the role does not
		// select them.
		{"aws.credential-access.ec2-get-password-data.json", "*:role/stratus-red-team-ec2-get-password-data-role", "",
			[]session{
				{"ASIA7RQR64ZW9JXKWPUO", "arn:aws:iam::457448411975:role/stratus-red-team-ec2-get-password-data-role", "arn:aws:iam::457448411975:user/christophe", "sts:AssumeRole 1/0"},
				{"ASIANQQHHS551LWULIWD", "arn:aws:iam::457448411975:role/stratus-red-team-ec2-get-password-data-role", "arn:aws:iam::457448411975:user/christophe", "sts:AssumeRole 1/0, ec2:GetPasswordData 30/30"},
			},
			nil},
		// Selecting the user instead: its refused calls form a session of
		// the long-term key; the assumptions open the role's sessions.
		{"aws.credential-access.ec2-get-password-data.json", "*:user/christophe", "",
			[]session{
				{"AKIAWOGXN38MFN92ING5@2024-07-30T21:31:10Z", "arn:aws:iam::457448411975:user/christophe", "", "sts:AssumeRole 2/2"},
				{"ASIA7RQR64ZW9JXKWPUO", "arn:aws:iam::457448411975:role/stratus-red-team-ec2-get-password-data-role", "arn:aws:iam::457448411975:user/christophe", "sts:AssumeRole 1/0"},
				{"ASIANQQHHS551LWULIWD", "arn:aws:iam::457448411975:role/stratus-red-team-ec2-get-password-data-role", "arn:aws:iam::457448411975:user/christophe", "sts:AssumeRole 1/0"},
			},
			nil},
		// The role with the window from 21:31:15: nothing selected came
		// before, so both principals appear for the first time.
		{"aws.credential-access.ec2-get-password-data.json", "*:role/stratus-red-team-ec2-get-password-data-role", "2024-07-30T21:31:15Z",
			[]session{
				{"ASIA7RQR64ZW9JXKWPUO", "arn:aws:iam::457448411975:role/stratus-red-team-ec2-get-password-data-role", "arn:aws:iam::457448411975:user/christophe", "sts:AssumeRole 1/0"},
				{"ASIANQQHHS551LWULIWD", "arn:aws:iam::457448411975:role/stratus-red-team-ec2-get-password-data-role", "arn:aws:iam::457448411975:user/christophe", "sts:AssumeRole 1/0, ec2:GetPasswordData 30/30"},
			},
			[]string{"principal arn:aws:iam::457448411975:user/christophe", "principal arn:aws:iam::457448411975:role/stratus-red-team-ec2-get-password-data-role"}},
		// The user with the window from 21:31:15: its refusals are the
		// baseline; the successful AssumeRole is an action it already
		// tried, from the same address.
		{"aws.credential-access.ec2-get-password-data.json", "*:user/christophe", "2024-07-30T21:31:15Z",
			[]session{
				{"ASIA7RQR64ZW9JXKWPUO", "arn:aws:iam::457448411975:role/stratus-red-team-ec2-get-password-data-role", "arn:aws:iam::457448411975:user/christophe", "sts:AssumeRole 1/0"},
				{"ASIANQQHHS551LWULIWD", "arn:aws:iam::457448411975:role/stratus-red-team-ec2-get-password-data-role", "arn:aws:iam::457448411975:user/christophe", "sts:AssumeRole 1/0"},
			},
			nil},
		// Two assumptions (08:29:59 and 08:30:00); the second key tries
		// LeaveOrganization and is refused.
		{"aws.defense-evasion.organizations-leave.json", "*:role/stratus-red-team-leave-org-role", "",
			[]session{
				{"ASIAMOWPWQJ1QHWCWJXJ", "arn:aws:iam::307578594326:role/stratus-red-team-leave-org-role", "arn:aws:iam::307578594326:user/christophe", "sts:AssumeRole 1/0"},
				{"ASIA36EV31F1RB3OA8IG", "arn:aws:iam::307578594326:role/stratus-red-team-leave-org-role", "arn:aws:iam::307578594326:user/christophe", "sts:AssumeRole 1/0, organizations:LeaveOrganization 1/1"},
			},
			nil},
		// A federation token (08:43:17, long-term key) and the federated
		// user's GetCallerIdentity with the token's key (08:43:18).
		{"aws.persistence.sts-federation-token.json", "*:user/stratus-red-team-user-federation-user", "",
			[]session{
				{"AKIA6V1GNZTT65XQH36M@2024-11-30T08:43:17Z", "arn:aws:iam::742491224508:user/stratus-red-team-user-federation-user", "", "sts:GetFederationToken 1/0"},
				{"ASIASTJKC5GCM7ZE6LUP", "arn:aws:iam::742491224508:user/stratus-red-team-user-federation-user", "", "sts:GetCallerIdentity 1/0"},
			},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.selector+"/"+tt.since, func(t *testing.T) {
			_, events := ingestLogs(t, filepath.Join(dir, tt.file))
			opts := review.TimelineOptions{}
			if tt.since != "" {
				opts.Since = mustTime(t, tt.since)
			}
			tl, err := review.BuildTimeline(context.Background(), scanner(events), review.Selection{Principals: []string{tt.selector}}, opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []session
			for _, s := range tl.Sessions {
				var acts []string
				for _, a := range s.Actions {
					acts = append(acts, fmt.Sprintf("%s %d/%d", a.Event, a.Calls, a.Denied))
				}
				got = append(got, session{s.ID, s.Principal, s.AssumedBy, strings.Join(acts, ", ")})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("sessions\n got %+v\nwant %+v", got, tt.want)
			}
			var firsts []string
			for _, f := range tl.Firsts {
				firsts = append(firsts, f.Kind+" "+f.Value)
			}
			if !slices.Equal(firsts, tt.firsts) {
				t.Errorf("first appearances %q, want %q", firsts, tt.firsts)
			}
		})
	}
}

// TestTimelineDemo follows the demo's stories: the vendor sessions carry
// their assumption, and legacy-reporting's burst shows as new.
func TestTimelineDemo(t *testing.T) {
	_, events := ingestLogs(t, filepath.Join(demoDir, "AWSLogs"))
	ctx := context.Background()

	t.Run("datadog by caller account", func(t *testing.T) {
		tl, err := review.BuildTimeline(ctx, scanner(events), review.Selection{CallerAccounts: []string{"464622532012"}},
			review.TimelineOptions{Since: mustTime(t, "2026-10-11T00:00:00Z"), Until: mustTime(t, "2026-10-12T00:00:00Z")})
		if err != nil {
			t.Fatal(err)
		}
		// The README: Datadog assumes its role every hour.
		if n := len(tl.Sessions); n < 20 || n > 26 {
			t.Errorf("%d sessions in a day, want about 24", n)
		}
		for _, s := range tl.Sessions {
			if s.Principal != "arn:aws:iam::364851209736:role/DatadogIntegrationRole" || s.CallerAccount != "464622532012" ||
				!strings.HasPrefix(s.ID, "ASIA") {
				t.Errorf("session %+v", s)
			}
			if s.AssumedBy != "" && (!s.ExternalID || s.AssumedBy != "arn:aws:iam::464622532012:root") {
				t.Errorf("assumed by %s, ExternalId %v", s.AssumedBy, s.ExternalID)
			}
		}
		// Its addresses and actions were all seen before the 11th.
		for _, f := range tl.Firsts {
			t.Errorf("unexpected first appearance %+v", f)
		}
		if tl.Baseline == 0 {
			t.Error("no baseline events before the window")
		}
	})
	t.Run("legacy-reporting", func(t *testing.T) {
		tl, err := review.BuildTimeline(ctx, scanner(events), review.Selection{Principals: []string{"*:user/legacy-reporting"}}, review.TimelineOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var burst *review.Session
		for _, s := range tl.Sessions {
			if s.Denied > 0 {
				if burst != nil {
					t.Errorf("two sessions with refusals: %s and %s", burst.ID, s.ID)
				}
				burst = s
			}
		}
		if burst == nil || burst.Denied != 44 || !slices.Equal(burst.SourceIPs, []string{"203.0.113.77"}) ||
			burst.Start.Format(time.RFC3339) != "2026-10-11T14:02:41Z" {
			t.Fatalf("burst session %+v", burst)
		}
		kinds := map[string]bool{}
		for _, f := range tl.Firsts {
			if f.Time.Before(burst.Start) {
				t.Errorf("first appearance before the burst: %+v", f)
			}
			kinds[f.Kind+" "+f.Value] = true
		}
		for _, k := range []string{"source-ip 203.0.113.77", "action iam:ListUsers", "region eu-west-1", "action sts:GetCallerIdentity"} {
			if !kinds[k] {
				t.Errorf("no first appearance %q", k)
			}
		}
		var reads *review.SweepEntry
		for _, e := range tl.Sweep {
			if e.Event == "s3:GetObject" {
				reads = e
			}
		}
		// 35 GetObject calls in the fortnight (the usage index says so too).
		if reads == nil || reads.Category != review.CategoryDataRead || reads.Calls != 35 {
			t.Errorf("data reads %+v", reads)
		}
	})
}
