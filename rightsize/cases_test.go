package rightsize_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/rightsize"
)

const role = "arn:aws:iam::" + own + ":role/VendorRole"

// TestCases runs hand-made scenarios, each with a policy of its own in
// testdata/policies and the calls the logs show, and checks the
// suggestion against what the scenario implies.
func TestCases(t *testing.T) {
	tests := []struct {
		name  string
		sc    scenario
		check func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject)
	}{
		{
			name: "NotAction becomes an Action list",
			sc: scenario{arn: role, policies: []string{"notaction.json"}, calls: []call{
				{day: 1, source: "ec2", name: "DescribeInstances"},
				{day: 2, source: "s3", name: "GetObject", data: true, resources: []string{"arn:aws:s3:::b", "arn:aws:s3:::b/k"}},
				{day: 3, source: "iam", name: "ListRoles", err: "AccessDenied"},
			}},
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				for _, p := range sug.Policies {
					for _, st := range p.Statements {
						if len(st.NotAction) > 0 {
							t.Errorf("suggestion keeps a NotAction statement: %v", st.NotAction)
						}
						for _, a := range st.Action {
							if strings.HasPrefix(a, "iam:") || strings.HasPrefix(a, "organizations:") {
								t.Errorf("suggestion grants %s, which the NotAction excluded", a)
							}
						}
					}
				}
				acts := suggestedActions(sug)
				for _, a := range []string{"ec2:DescribeInstances", "s3:GetObject"} {
					if !slices.Contains(acts, a) {
						t.Errorf("used action %s missing from %v", a, acts)
					}
				}
				if len(sug.Denied) != 1 || sug.Denied[0].Action != "iam:ListRoles" {
					t.Errorf("tried but denied = %+v, want iam:ListRoles", sug.Denied)
				}
				if slices.Contains(acts, "iam:ListRoles") {
					t.Error("a denied call's action is granted")
				}
				if sug.Granted < 15000 {
					t.Errorf("granted %d actions; a NotAction of three services grants nearly all", sug.Granted)
				}
			},
		},
		{
			name: "conditions are carried over",
			sc: scenario{arn: role, policies: []string{"conditions.json"}, calls: []call{
				{day: 0, source: "s3", name: "GetObject", data: true, resources: []string{"arn:aws:s3:::acme-data/x"}},
				{day: 5, source: "ec2", name: "DescribeInstances", region: "us-east-1"},
			}},
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				conds := map[string][]policy.Clause{}
				for _, p := range sug.Policies {
					for _, st := range p.Statements {
						for _, a := range st.Action {
							conds[a] = st.Condition
						}
					}
				}
				if got := conds["s3:GetObject"]; len(got) != 2 {
					t.Errorf("s3:GetObject conditions = %+v, want the two of statement FromOffice", got)
				}
				if got := conds["ec2:DescribeInstances"]; len(got) != 1 || got[0].Key != "aws:RequestedRegion" {
					t.Errorf("ec2:DescribeInstances conditions = %+v, want aws:RequestedRegion", got)
				}
				if _, ok := conds["s3:PutObject"]; ok {
					t.Error("unused s3:PutObject kept")
				}
				if sug.Verification.ContextsSampled == 0 {
					t.Error("the observed GetObject depends on aws:SourceIp: contexts should have been sampled")
				}
				cur, sg := sets(sug, s)
				ctx := map[string][]string{"aws:SourceIp": {"10.1.2.3"}, "aws:SecureTransport": {"true"}}
				if !allows(cur, "s3:GetObject", "arn:aws:s3:::acme-data/y", ctx) || !allows(sg, "s3:GetObject", "arn:aws:s3:::acme-data/y", ctx) {
					t.Error("GetObject from the office is not allowed by both")
				}
				ctx["aws:SourceIp"] = []string{"192.0.2.1"}
				if allows(sg, "s3:GetObject", "arn:aws:s3:::acme-data/y", ctx) {
					t.Error("the suggestion allows GetObject from outside the office")
				}
			},
		},
		{
			name: "a boundary removes part of the grant and is kept",
			sc: scenario{arn: role, policies: []string{"boundary-grant.json"}, boundary: "boundary.json", calls: []call{
				{day: 0, source: "s3", name: "GetObject", data: true, resources: []string{"arn:aws:s3:::b/k"}},
				{day: 1, source: "s3", name: "ListObjects", data: true, resources: []string{"arn:aws:s3:::b"}},
			}},
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				if sug.Boundary != s.Boundary {
					t.Error("the boundary is not kept")
				}
				for _, a := range []string{"s3:PutObject", "kms:Decrypt", "s3:DeleteBucket"} {
					r, ok := findAction(sug.Removed, a)
					if !ok || r.Reason != rightsize.RemovedBoundary {
						t.Errorf("%s: removed %v with reason %q, want %q", a, ok, r.Reason, rightsize.RemovedBoundary)
					}
				}
				if _, ok := findAction(sug.Removed, "s3:GetBucketPolicy"); !ok {
					t.Error("s3:GetBucketPolicy (within the boundary, unused) not removed")
				}
				for _, a := range suggestedActions(sug) {
					if !strings.HasPrefix(a, "s3:Get") && !strings.HasPrefix(a, "s3:List") {
						t.Errorf("suggestion grants %s, which the boundary never allows", a)
					}
				}
				if got := actionNames(sug.Kept); !slices.Equal(got, []string{"s3:GetObject", "s3:ListBucket"}) {
					t.Errorf("kept %v", got)
				}
			},
		},
		{
			name: "deny statements survive",
			sc: scenario{arn: role, policies: []string{"denies.json"}, calls: []call{
				{day: 0, source: "ec2", name: "StopInstances", resources: []string{"arn:aws:ec2:us-east-1:" + own + ":instance/i-1"}},
				{day: 2, source: "ec2", name: "TerminateInstances", err: "Client.UnauthorizedOperation"},
			}},
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				var sids []string
				for _, p := range sug.Policies {
					for _, st := range p.Statements {
						if st.Effect == policy.Deny {
							sids = append(sids, st.Sid)
						}
					}
				}
				slices.Sort(sids)
				if !slices.Equal(sids, []string{"NeverTerminate", "NoStopOutsideHours"}) {
					t.Errorf("Deny statements %v, want both kept", sids)
				}
				r, ok := findAction(sug.Removed, "ec2:TerminateInstances")
				if !ok || r.Reason != rightsize.RemovedDenied {
					t.Errorf("ec2:TerminateInstances removed %v reason %q, want %q", ok, r.Reason, rightsize.RemovedDenied)
				}
				if got := suggestedActions(sug); !slices.Contains(got, "ec2:StopInstances") || slices.Contains(got, "ec2:StartInstances") {
					t.Errorf("suggested actions %v", got)
				}
			},
		},
		{
			name: "S3 data events absent: S3 object actions kept, marked",
			sc: scenario{arn: role, policies: []string{"s3-reader.json"}, calls: []call{
				{day: 3, source: "ec2", name: "DescribeInstances"},
			}},
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				for _, a := range []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket"} {
					k, ok := findAction(sug.Unobservable, a)
					if !ok || k.Reason != rightsize.KeptNoDataEvents {
						t.Errorf("%s: kept %v reason %q, want %q", a, ok, k.Reason, rightsize.KeptNoDataEvents)
					}
				}
				if r, ok := findAction(sug.Removed, "ec2:DescribeVolumes"); !ok || r.Reason != rightsize.RemovedUnused {
					t.Errorf("ec2:DescribeVolumes not removed as unused: %+v", r)
				}
				if slices.Contains(sug.Window.DataEventSources, "s3.amazonaws.com") {
					t.Error("window lists S3 data events the logs do not hold")
				}
			},
		},
		{
			name: "S3 data events present: unused S3 object actions removed",
			sc: scenario{arn: role, policies: []string{"s3-reader.json"}, calls: []call{
				{day: 3, source: "ec2", name: "DescribeInstances"},
				{day: 4, source: "s3", name: "GetObject", data: true, resources: []string{"arn:aws:s3:::acme-reports", "arn:aws:s3:::acme-reports/q3.csv"}},
			}},
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				for _, a := range []string{"s3:PutObject", "s3:ListBucket"} {
					if r, ok := findAction(sug.Removed, a); !ok || r.Reason != rightsize.RemovedUnused {
						t.Errorf("%s not removed as unused: %+v", a, r)
					}
				}
				k, ok := findAction(sug.Kept, "s3:GetObject")
				if !ok || k.Calls != 1 || !k.LastUsed.After(day0) {
					t.Errorf("s3:GetObject kept %v with %+v, want 1 call and its time", ok, k)
				}
				if !slices.Equal(k.Resources, []string{"arn:aws:s3:::acme-reports/q3.csv"}) {
					t.Errorf("s3:GetObject resources %v, want the object only (not the bucket)", k.Resources)
				}
			},
		},
		{
			name: "a principal with no usage keeps only what the logs cannot show",
			sc:   scenario{arn: role, policies: []string{"passrole.json"}},
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				if len(sug.Kept) != 0 || sug.Used != 0 {
					t.Errorf("kept %v, used %d; want nothing used", sug.Kept, sug.Used)
				}
				if got := suggestedActions(sug); !slices.Equal(got, []string{"iam:PassRole"}) {
					t.Errorf("suggested %v, want only the permission-only iam:PassRole", got)
				}
				k, ok := findAction(sug.Unobservable, "iam:PassRole")
				if !ok || k.Reason != rightsize.KeptPermissionOnly {
					t.Errorf("iam:PassRole kept %v reason %q", ok, k.Reason)
				}
				if sug.UnusedShare != 1 {
					t.Errorf("unused share %v, want 1", sug.UnusedShare)
				}
			},
		},
		{
			name: "days without logs keep everything",
			sc: scenario{arn: role, policies: []string{"s3-reader.json"}, gaps: []int{6, 7}, calls: []call{
				{day: 3, source: "ec2", name: "DescribeInstances"},
			}},
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				if sug.Window.Complete() || len(sug.Window.MissingDays) != 2 || sug.Window.DaysWithLogs != 12 {
					t.Errorf("window %+v, want 2 of 14 days missing", sug.Window)
				}
				if r, ok := findAction(sug.Unobservable, "ec2:DescribeVolumes"); !ok || r.Reason != rightsize.KeptWindowIncomplete {
					t.Errorf("ec2:DescribeVolumes kept %v reason %q, want %q", ok, r.Reason, rightsize.KeptWindowIncomplete)
				}
				if len(sug.Removed) != 0 {
					t.Errorf("removed %v from an incomplete window", actionNames(sug.Removed))
				}
				cur, sg := sets(sug, s)
				for _, a := range []string{"s3:PutObject", "ec2:DescribeVolumes"} {
					if !allows(sg, a, "arn:aws:s3:::acme-reports/x", nil) && allows(cur, a, "arn:aws:s3:::acme-reports/x", nil) {
						t.Errorf("%s no longer allowed", a)
					}
				}
			},
		},
		{
			name: "used before the window only",
			sc: scenario{arn: role, policies: []string{"s3-reader.json"}, days: 10,
				opts: rightsize.Options{Since: day0.AddDate(0, 0, 5)},
				calls: []call{
					{day: 2, source: "ec2", name: "DescribeVolumes"},
					{day: 7, source: "ec2", name: "DescribeInstances"},
					{day: 7, source: "s3", name: "GetObject", data: true, resources: []string{"arn:aws:s3:::acme-reports/a"}},
				}},
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				r, ok := findAction(sug.Removed, "ec2:DescribeVolumes")
				if !ok || r.Reason != rightsize.RemovedOutsideWindow || r.LastUsed.Before(day0.AddDate(0, 0, 2)) {
					t.Errorf("ec2:DescribeVolumes removed %v as %+v, want used-outside-window on day 2", ok, r)
				}
				if sug.Window.Days != 5 {
					t.Errorf("window of %d days, want 5", sug.Window.Days)
				}
			},
		},
		{
			name: "possibly needed actions are kept, marked",
			sc: scenario{arn: role, policies: []string{"copy.json"}, calls: []call{
				{day: 1, source: "s3", name: "CopyObject", data: true, resources: []string{"arn:aws:s3:::acme-data/a", "arn:aws:s3:::acme-data/b"}},
			}},
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				for _, a := range []string{"s3:PutObjectAcl", "s3:PutObjectTagging", "s3:GetObjectVersion"} {
					k, ok := findAction(sug.Unobservable, a)
					if !ok || k.Reason != rightsize.KeptPossiblyNeeded || !strings.Contains(k.Detail, "s3:CopyObject") {
						t.Errorf("%s kept %v as %+v, want possibly needed by s3:CopyObject", a, ok, k)
					}
				}
				if sug.Conditional != 3 {
					t.Errorf("conditional = %d, want 3", sug.Conditional)
				}
			},
		},
		{
			name: "possibly needed actions dropped on request",
			sc: scenario{arn: role, policies: []string{"copy.json"}, opts: rightsize.Options{DropConditional: true}, calls: []call{
				{day: 1, source: "s3", name: "CopyObject", data: true, resources: []string{"arn:aws:s3:::acme-data/a", "arn:aws:s3:::acme-data/b"}},
			}},
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				if got := suggestedActions(sug); !slices.Equal(got, []string{"s3:GetObject", "s3:PutObject"}) {
					t.Errorf("suggested %v, want only the always-needed actions", got)
				}
				if r, ok := findAction(sug.Removed, "s3:PutObjectAcl"); !ok || r.Reason != rightsize.RemovedConditional {
					t.Errorf("s3:PutObjectAcl removed %v as %q", ok, r.Reason)
				}
			},
		},
		{
			name: "logged request parameters decide a conditional action",
			sc: scenario{arn: role, policies: []string{"copy.json"}, opts: rightsize.Options{DropConditional: true}, calls: []call{
				{day: 1, source: "s3", name: "CopyObject", data: true, params: []string{"x-amz-acl"}, resources: []string{"arn:aws:s3:::acme-data/a", "arn:aws:s3:::acme-data/b"}},
			}},
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				if _, ok := findAction(sug.Kept, "s3:PutObjectAcl"); !ok {
					t.Errorf("s3:PutObjectAcl not kept as used: kept %v", actionNames(sug.Kept))
				}
			},
		},
		{
			name: "observed resources narrow within each statement",
			sc: scenario{arn: role, policies: []string{"two-buckets.json"}, opts: rightsize.Options{Resources: rightsize.ResourcesObserved}, calls: []call{
				{day: 1, source: "s3", name: "GetObject", data: true, resources: []string{"arn:aws:s3:::bucket-a", "arn:aws:s3:::bucket-a/in/x"}},
				{day: 2, source: "kms", name: "Decrypt", resources: []string{"arn:aws:kms:us-east-1:" + own + ":key/k1"}},
			}},
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				res := map[string][]string{}
				for _, p := range sug.Policies {
					for _, st := range p.Statements {
						for _, a := range st.Action {
							res[a] = append(res[a], st.Resource...)
						}
					}
				}
				if got := res["s3:GetObject"]; !slices.Equal(got, []string{"arn:aws:s3:::bucket-a/in/x"}) {
					t.Errorf("s3:GetObject on %v, want the object read", got)
				}
				if got := res["kms:Decrypt"]; !slices.Equal(got, []string{"arn:aws:kms:us-east-1:" + own + ":key/k1"}) {
					t.Errorf("kms:Decrypt on %v", got)
				}
				cur, sg := sets(sug, s)
				if allows(sg, "s3:GetObject", "arn:aws:s3:::bucket-b/y", nil) || !allows(cur, "s3:GetObject", "arn:aws:s3:::bucket-b/y", nil) {
					t.Error("bucket-b should be allowed today and not by the suggestion")
				}
				if sug.Resources != rightsize.ResourcesObserved {
					t.Errorf("resources %q, want observed (no fallback)", sug.Resources)
				}
			},
		},
		{
			name: "generalize collapses many objects into a prefix",
			sc: func() scenario {
				sc := scenario{arn: role, policies: []string{"two-buckets.json"}, opts: rightsize.Options{Resources: rightsize.ResourcesGeneralize, GeneralizeThreshold: 3}}
				for i, k := range []string{"reports/2026/a", "reports/2026/b", "reports/2026/c", "reports/2026/d"} {
					sc.calls = append(sc.calls, call{day: i, source: "s3", name: "PutObject", data: true, resources: []string{"arn:aws:s3:::bucket-b/" + k}})
				}
				sc.calls = append(sc.calls, call{day: 5, source: "s3", name: "PutObject", data: true, resources: []string{"arn:aws:s3:::bucket-a/one"}})
				return sc
			}(),
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				var res []string
				for _, p := range sug.Policies {
					for _, st := range p.Statements {
						if slices.Contains(st.Action, "s3:PutObject") {
							res = append(res, st.Resource...)
						}
					}
				}
				slices.Sort(res)
				if want := []string{"arn:aws:s3:::bucket-a/one", "arn:aws:s3:::bucket-b/reports/2026/*"}; !slices.Equal(res, want) {
					t.Errorf("s3:PutObject on %v, want %v", res, want)
				}
			},
		},
		{
			name: "policy variables are kept as they are",
			sc: scenario{arn: "arn:aws:iam::" + own + ":user/alice", kind: "user", policies: []string{"home-dirs.json"}, opts: rightsize.Options{Resources: rightsize.ResourcesObserved}, calls: []call{
				{day: 1, source: "s3", name: "GetObject", data: true, resources: []string{"arn:aws:s3:::acme-home/alice/notes"}},
			}},
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				if len(sug.Policies) != 1 || len(sug.Policies[0].Statements) != 1 {
					t.Fatalf("suggestion %+v", sug.Policies)
				}
				st := sug.Policies[0].Statements[0]
				if !slices.Equal(st.Resource, []string{"arn:aws:s3:::acme-home/${aws:username}/*"}) || !slices.Equal(st.Action, []string{"s3:GetObject"}) {
					t.Errorf("statement %+v", st)
				}
			},
		},
		{
			name: "a Version 2008 policy keeps its plain ${ text",
			sc: scenario{arn: role, policies: []string{"literal-vars.json"}, calls: []call{
				{day: 1, source: "s3", name: "GetObject", data: true, resources: []string{"arn:aws:s3:::acme-data/${aws:username}/x"}},
			}},
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				if len(sug.Policies) != 1 || sug.Policies[0].Version != policy.Version2008 {
					t.Fatalf("suggestion documents %+v, want one of Version 2008-10-17", sug.Policies)
				}
			},
		},
		{
			name: "unmapped calls keep their service's grants",
			sc: scenario{arn: role, policies: []string{"unmapped.json"}, calls: []call{
				{day: 1, source: "ce", name: "GetSomethingNew"},
				{day: 1, source: "ec2", name: "DescribeInstances"},
			}},
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				if len(sug.Unmapped) != 1 || sug.Unmapped[0].Event != "ce:GetSomethingNew" {
					t.Errorf("unmapped %+v", sug.Unmapped)
				}
				k, ok := findAction(sug.Unobservable, "ce:GetCostAndUsage")
				if !ok || k.Reason != rightsize.KeptUnmappedCalls {
					t.Errorf("ce:GetCostAndUsage kept %v as %q, want %q", ok, k.Reason, rightsize.KeptUnmappedCalls)
				}
				if _, ok := findAction(sug.Removed, "ec2:DescribeVolumes"); !ok {
					t.Error("ec2:DescribeVolumes not removed")
				}
			},
		},
		{
			name: "used only on resources no statement covers",
			sc: scenario{arn: role, policies: []string{"two-buckets.json"}, calls: []call{
				{day: 1, source: "s3", name: "GetObject", data: true, resources: []string{"arn:aws:s3:::shared-by-bucket-policy/x"}},
				{day: 2, source: "sqs", name: "SendMessage", data: true, resources: []string{"arn:aws:sqs:us-east-1:" + own + ":q"}},
			}},
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				if got := actionNames(sug.UsedNotGranted); !slices.Equal(got, []string{"s3:GetObject", "sqs:SendMessage"}) {
					t.Errorf("used but not granted %v", got)
				}
				if len(sug.Kept) != 0 || sug.Used != 0 {
					t.Errorf("kept %v", actionNames(sug.Kept))
				}
				if slices.Contains(suggestedActions(sug), "s3:GetObject") {
					t.Error("s3:GetObject kept although no call used it on the buckets granted")
				}
				if sug.Verification.NotAllowedToday != 2 {
					t.Errorf("verification %+v, want the two requests not allowed today", sug.Verification)
				}
			},
		},
		{
			name: "large suggestions are split at the size limit",
			sc: func() scenario {
				sc := scenario{arn: role, policies: []string{"wide.json"}, opts: rightsize.Options{MaxPolicySize: 400}}
				for _, n := range []string{"Addresses", "AvailabilityZones", "Images", "Instances", "InstanceStatus", "KeyPairs", "NetworkInterfaces", "RouteTables", "SecurityGroups", "Snapshots", "Subnets", "Tags"} {
					sc.calls = append(sc.calls, call{day: 1, source: "ec2", name: "Describe" + n})
				}
				sc.calls = append(sc.calls, call{day: 2, source: "s3", name: "GetObject", data: true, resources: []string{"arn:aws:s3:::acme-1/x"}})
				return sc
			}(),
			check: func(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject) {
				if !sug.Split || len(sug.Policies) < 2 {
					t.Fatalf("not split: %d documents", len(sug.Policies))
				}
				for i, p := range sug.Policies {
					b, _ := p.MarshalJSON()
					if len(b) > 400 || sug.Sizes[i] != len(b) {
						t.Errorf("document %d: %d characters (reported %d), limit 400", i, len(b), sug.Sizes[i])
					}
				}
				if got := suggestedActions(sug); len(got) != 13 {
					t.Errorf("%d actions across the documents, want the 13 used", len(got))
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := tt.sc
			sug, s, err := sc.run(t)
			if err != nil {
				t.Fatal(err)
			}
			if !sug.Verification.NoNewAccess {
				t.Error("verification did not prove no new access")
			}
			checkGuarantees(t, sug, s, &sc)
			tt.check(t, sug, s)
		})
	}
}

// checkGuarantees checks, independently of the verifier, that the
// suggestion allows nothing new on sampled requests and that every
// scenario call that succeeded and today's policies allow is still
// allowed.
func checkGuarantees(t *testing.T, sug *rightsize.Suggestion, s *rightsize.Subject, sc *scenario) {
	t.Helper()
	cur, sg := sets(sug, s)
	actions := []string{}
	resources := []string{"*"}
	for _, c := range sc.calls {
		resources = append(resources, c.resources...)
	}
	for _, p := range sug.Policies {
		for _, st := range p.Statements {
			actions = append(actions, st.Action...)
			for _, r := range st.Resource {
				resources = append(resources, strings.ReplaceAll(r, "*", "zz"))
			}
		}
	}
	actions = append(actions, "iam:CreateUser", "s3:DeleteBucket", "ec2:TerminateInstances", "kms:Decrypt")
	contexts := []map[string][]string{nil,
		{"aws:SourceIp": {"10.1.1.1"}, "aws:SecureTransport": {"true"}, "aws:RequestedRegion": {"us-east-1"}, "aws:username": {"alice"}},
		{"aws:SourceIp": {"192.0.2.9"}, "aws:SecureTransport": {"false"}, "aws:RequestedRegion": {"eu-west-1"}, "aws:CurrentTime": {"2031-01-01T00:00:00Z"}},
	}
	for _, a := range actions {
		for _, r := range resources {
			for _, ctx := range contexts {
				if allows(sg, a, r, ctx) && !allows(cur, a, r, ctx) {
					t.Errorf("new access: %s on %s with %v", a, r, ctx)
				}
			}
		}
	}
}

func TestOptions(t *testing.T) {
	sc := scenario{arn: role}
	tests := []struct {
		name string
		opts rightsize.Options
	}{
		{"bad resource mode", rightsize.Options{Resources: "narrow"}},
		{"since after until", rightsize.Options{Since: day0.AddDate(0, 0, 2), Until: day0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := rightsize.New(testCatalog(t), sc.index(t), tt.opts); !errors.Is(err, rightsize.ErrOptions) {
				t.Errorf("New = %v, want ErrOptions", err)
			}
		})
	}
	for _, m := range []string{"keep", "observed", "generalize"} {
		if got, err := rightsize.ParseResourceMode(m); err != nil || string(got) != m {
			t.Errorf("ParseResourceMode(%q) = %q, %v", m, got, err)
		}
	}
}
