package catalog_test

import (
	"maps"
	"slices"
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
