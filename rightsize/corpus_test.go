package rightsize_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/internal/shareddata"
	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/rightsize"
)

// checkUnobservable checks every action kept though unused against the
// catalog and the scenario: permission-only ones must be so in the
// catalog, and so on.
func checkUnobservable(t *testing.T, sug *rightsize.Suggestion) {
	t.Helper()
	cat := testCatalog(t)
	for _, a := range sug.Unobservable {
		ca, ok := cat.Action(a.Action)
		if !ok {
			t.Errorf("kept %s, unknown to the catalog", a.Action)
			continue
		}
		switch a.Reason {
		case rightsize.KeptPermissionOnly, rightsize.KeptNeverLogged, rightsize.KeptUnknown:
			want := map[rightsize.Reason]catalog.Observability{rightsize.KeptPermissionOnly: catalog.PermissionOnly,
				rightsize.KeptNeverLogged: catalog.NeverLogged, rightsize.KeptUnknown: catalog.UnknownObservability}[a.Reason]
			if ca.Observability != want {
				t.Errorf("%s kept as %s, but the catalog says %s", a.Action, a.Reason, ca.Observability)
			}
		case rightsize.KeptNoDataEvents:
			if slices.Contains(sug.Window.DataEventSources, ca.Service+".amazonaws.com") {
				t.Errorf("%s kept for lack of %s data events, which the window holds", a.Action, ca.Service)
			}
		case rightsize.KeptPossiblyNeeded, rightsize.KeptDependent:
			if a.Detail == "" {
				t.Errorf("%s kept as %s without saying by which call", a.Action, a.Reason)
			}
		default:
			t.Errorf("%s kept for %q in a complete window", a.Action, a.Reason)
		}
	}
}

// TestAWSManagedPolicy attaches SecurityAudit, from the shared corpus, to
// a vendor role that used four of its actions.
func TestAWSManagedPolicy(t *testing.T) {
	sec := managedPolicy(t, "SecurityAudit")
	sc := scenario{arn: role, policies: nil, calls: []call{
		{day: 0, source: "ec2", name: "DescribeInstances", n: 30},
		{day: 3, source: "s3", name: "GetBucketPolicy", resources: []string{"arn:aws:s3:::acme-logs"}},
		{day: 5, source: "iam", name: "GetAccountAuthorizationDetails"},
		{day: 9, source: "cloudtrail", name: "DescribeTrails", region: "eu-west-1"},
		{day: 9, source: "organizations", name: "ListAccounts", err: "AccessDeniedException"},
	}}
	rs, err := rightsize.New(testCatalog(t), sc.index(t), rightsize.Options{Since: day0, Until: day0.AddDate(0, 0, 14)})
	if err != nil {
		t.Fatal(err)
	}
	s := sc.subject(t)
	s.Identity = []*policy.Policy{sec}
	sug, err := rs.Suggest(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cloudtrail:DescribeTrails", "ec2:DescribeInstances", "iam:GetAccountAuthorizationDetails", "s3:GetBucketPolicy"}
	if got := actionNames(sug.Kept); !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
	if k, _ := findAction(sug.Kept, "ec2:DescribeInstances"); k.Calls != 30 {
		t.Errorf("ec2:DescribeInstances: %d calls, want 30", k.Calls)
	}
	checkUnobservable(t, sug)
	if sug.Granted < 1000 || sug.Used != 4 || len(sug.Kept)+len(sug.Unobservable)+countReason(sug.Removed, rightsize.RemovedUnused) != sug.Granted {
		t.Errorf("granted %d, used %d, kept %d+%d, removed unused %d: the counts do not add up",
			sug.Granted, sug.Used, len(sug.Kept), len(sug.Unobservable), countReason(sug.Removed, rightsize.RemovedUnused))
	}
	if len(sug.Denied) != 1 || sug.Denied[0].Action != "organizations:ListAccounts" {
		t.Errorf("denied %+v", sug.Denied)
	}
	checkGuarantees(t, sug, s, &sc)
	t.Logf("SecurityAudit: %d actions granted, %d used, %d kept unobservable, %d removed, %d documents",
		sug.Granted, sug.Used, len(sug.Unobservable), len(sug.Removed), len(sug.Policies))
}

func countReason(list []rightsize.Action, r rightsize.Reason) int {
	n := 0
	for _, a := range list {
		if a.Reason == r {
			n++
		}
	}
	return n
}

// TestVendorInlinePolicy uses Spot's inline policy, from the shared
// corpus, with usage that touches a few of its actions.
func TestVendorInlinePolicy(t *testing.T) {
	file := filepath.Join(shareddata.Dir(t, "vendors", "spot"), "spot_policy.json")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	spot, err := policy.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	spot.Name = `inline policy "spot"`
	obj := "arn:aws:s3:::elasticbeanstalk-us-east-1-111122223333/app.zip"
	for _, mode := range []rightsize.ResourceMode{rightsize.ResourcesKeep, rightsize.ResourcesObserved} {
		t.Run(string(mode), func(t *testing.T) {
			sc := scenario{arn: role, calls: []call{
				{day: 0, source: "ec2", name: "DescribeInstances", n: 5},
				{day: 1, source: "ec2", name: "RunInstances", resources: []string{"arn:aws:ec2:us-east-1:" + own + ":instance/i-1"}},
				{day: 2, source: "autoscaling", name: "DescribeAutoScalingGroups"},
				{day: 2, source: "monitoring", name: "GetMetricData"},
				{day: 3, source: "s3", name: "GetObject", data: true, resources: []string{"arn:aws:s3:::elasticbeanstalk-us-east-1-111122223333", obj}},
			}}
			rs, err := rightsize.New(testCatalog(t), sc.index(t), rightsize.Options{Since: day0, Until: day0.AddDate(0, 0, 14), Resources: mode})
			if err != nil {
				t.Fatal(err)
			}
			s := sc.subject(t)
			s.Identity = []*policy.Policy{spot}
			sug, err := rs.Suggest(t.Context(), s)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"autoscaling:DescribeAutoScalingGroups", "cloudwatch:GetMetricData", "ec2:DescribeInstances", "ec2:RunInstances", "s3:GetObject"}
			if got := actionNames(sug.Kept); !slices.Equal(got, want) {
				t.Errorf("kept %v, want %v", got, want)
			}
			// RunInstances may have passed a role and tagged: both granted,
			// both kept as possibly needed.
			for _, a := range []string{"iam:PassRole", "ec2:CreateTags"} {
				if k, ok := findAction(sug.Unobservable, a); !ok || k.Reason != rightsize.KeptPossiblyNeeded {
					t.Errorf("%s kept %v as %q, want possibly needed", a, ok, k.Reason)
				}
			}
			checkUnobservable(t, sug)
			for _, a := range []string{"route53:ChangeResourceRecordSets", "ecs:CreateService", "ec2:TerminateInstances", "lambda:ListFunctions"} {
				if r, ok := findAction(sug.Removed, a); !ok || r.Reason != rightsize.RemovedUnused {
					t.Errorf("%s removed %v as %q, want unused", a, ok, r.Reason)
				}
			}
			cur, sg := sets(sug, s)
			if !allows(sg, "s3:GetObject", obj, nil) {
				t.Error("the object read is no longer allowed")
			}
			other := "arn:aws:s3:::another-bucket/x"
			if got := allows(sg, "s3:GetObject", other, nil); got != (mode == rightsize.ResourcesKeep) || !allows(cur, "s3:GetObject", other, nil) {
				t.Errorf("%s: GetObject on another bucket allowed = %v by the suggestion", mode, got)
			}
			checkGuarantees(t, sug, s, &sc)
			t.Logf("%s: spot policy: %d granted, %d used, %d unobservable, %d documents, %v characters",
				mode, sug.Granted, sug.Used, len(sug.Unobservable), len(sug.Policies), sug.Sizes)
		})
	}
}
