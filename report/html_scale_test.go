package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/report"
	"github.com/tailor-sec/tailor/review"
	"github.com/tailor-sec/tailor/rightsize"
	"github.com/tailor-sec/tailor/usage"
)

// The services and actions of the synthetic principals: each is granted
// all of them, uses the first two of each service, and never uses the rest.
var scaleServices = map[string][]string{
	"cloudwatch": {"GetMetricData", "ListMetrics", "DescribeAlarms", "GetDashboard", "ListDashboards", "DescribeAlarmHistory", "GetMetricStatistics", "ListTagsForResource", "DescribeInsightRules", "GetInsightRuleReport"},
	"ec2":        {"DescribeInstances", "DescribeVolumes", "DescribeSnapshots", "DescribeImages", "DescribeVpcs", "DescribeSubnets", "DescribeSecurityGroups", "DescribeAddresses", "DescribeNetworkInterfaces", "DescribeRegions", "DescribeTags", "DescribeKeyPairs"},
	"s3":         {"ListAllMyBuckets", "GetBucketTagging", "GetBucketPolicy", "GetBucketAcl", "GetBucketLocation", "GetObject", "ListBucket", "GetEncryptionConfiguration"},
	"rds":        {"DescribeDBInstances", "ListTagsForResource", "DescribeDBClusters", "DescribeDBSnapshots", "DescribeEvents"},
	"lambda":     {"ListFunctions", "ListTags", "GetFunction", "GetPolicy", "ListAliases", "ListVersionsByFunction"},
	"kms":        {"ListKeys", "DescribeKey", "Decrypt", "ListAliases", "GetKeyPolicy"},
	"dynamodb":   {"ListTables", "DescribeTable", "ListTagsOfResource", "DescribeContinuousBackups"},
	"sqs":        {"ListQueues", "GetQueueAttributes", "ListQueueTags"},
}

// scaleInput builds a review of n third-party roles over days days of
// activity: per principal three findings with evidence, a verified-looking
// suggestion with its policies, two sessions a day and calls every day.
func scaleInput(_ testing.TB, n, days int) *report.HTMLInput {
	start := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(time.Duration(days) * 24 * time.Hour)
	const acct = "111122223333"
	var all []string
	for svc, acts := range scaleServices {
		for _, a := range acts {
			all = append(all, svc+":"+a)
		}
	}
	current := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"VendorReadOnly","Effect":"Allow","Action":%s,"Resource":"*"}]}`, jsonList(all))
	var used []string
	for svc, acts := range scaleServices {
		used = append(used, svc+":"+acts[0], svc+":"+acts[1])
	}
	suggested := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"VendorReadOnly","Effect":"Allow","Action":%s,"Resource":"*"}]}`, jsonList(used))
	cur, err := policy.Parse([]byte(current))
	if err != nil {
		panic(err)
	}
	cur.Name = `managed policy "VendorReadOnly" (v1)`
	sug, err := policy.Parse([]byte(suggested))
	if err != nil {
		panic(err)
	}

	rep := &review.Report{Account: acct, OwnAccounts: []string{acct}, Now: end, Window: review.Window{Since: start, Until: end}}
	run := &report.RightsizeRun{Tool: "tailor test"}
	tl := &review.Timeline{}
	b := usage.NewBuilder(usage.BuilderOptions{})
	ev := &tailor.Event{Account: acct, PrincipalType: tailor.IdentityAssumedRole}
	for i := 0; i < n; i++ {
		vendor := fmt.Sprintf("Vendor %d", i%150)
		caller := fmt.Sprintf("%012d", 500000000000+i%150)
		arn := fmt.Sprintf("arn:aws:iam::%s:role/vendor-%04d-IntegrationRole", acct, i)
		name := arn[strings.LastIndexByte(arn, '/')+1:]
		sev := review.Severity(i % 5)
		stmt := []byte(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + caller + `:root"},"Action":"sts:AssumeRole"}`)
		var evs []review.EventRef
		for k := 0; k < 5; k++ {
			evs = append(evs, review.EventRef{Time: start.Add(time.Duration(k) * 24 * time.Hour), Event: "sts:AssumeRole",
				Principal: "arn:aws:iam::" + caller + ":role/poller", Account: caller, SourceIP: "198.51.100.7",
				UserAgent: "aws-sdk-go-v2/1.30.0 os/linux lang/go#1.22 md/GOOS#linux", EventID: fmt.Sprintf("%08x-0000-4000-8000-%012x", i, k)})
		}
		var acts []review.ActionUse
		for _, a := range all {
			acts = append(acts, review.ActionUse{Action: a, GrantedBy: cur.Name + " statement 0", Used: containsString(used, a)})
		}
		p := &review.Principal{ARN: arn, Name: name, Kind: review.KindRole, ThirdParty: true, Worst: sev,
			Reasons:  []string{"trust admits account " + caller + " (" + vendor + ")"},
			LastUsed: end.Add(-time.Hour),
			Parties: []*review.Party{{Account: caller, Vendor: vendor, Kind: review.PartyVendor, Principals: []string{"arn:aws:iam::" + caller + ":root"},
				Trusted: true, Assumptions: int64(days * 2), LastAssumed: end.Add(-time.Hour)}},
			Findings: []*review.Finding{
				{ID: fmt.Sprintf("TRUST-NO-EXTERNAL-ID-%08x", i), Rule: review.RuleTrustNoExternalID, Severity: sev, Title: "No ExternalId required",
					Principal: arn, Account: caller, Vendor: vendor,
					Evidence: review.Evidence{Summary: "The trust policy admits account " + caller + " without an sts:ExternalId condition.",
						Statement: &review.StatementRef{Policy: "trust policy", Document: stmt},
						Facts:     []review.Fact{{Name: "principal", Value: "arn:aws:iam::" + caller + ":root"}, {Name: "assumptions", Value: fmt.Sprint(days*2, " in the window")}},
						Events:    evs},
					Remedy: review.Remedy{Summary: "Require the ExternalId the vendor gives you.", Steps: []string{"Ask the vendor for its ExternalId.", "Update the trust policy."},
						TrustPolicy: []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + caller + `:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"<EXTERNAL-ID-FROM-VENDOR>"}}}]}`),
						Commands:    []string{"aws iam update-assume-role-policy --role-name " + name + " --policy-document file://trust-policy.json"}}},
				{ID: fmt.Sprintf("PERMISSIONS-UNUSED-%08x", i), Rule: review.RulePermissionsUnused, Severity: review.SeverityMedium, Title: "Most permissions unused", Principal: arn,
					Evidence: review.Evidence{Summary: "Most granted actions were not used.", Actions: acts},
					Remedy:   review.Remedy{Summary: "Rightsize.", SuggestedPolicy: []byte(suggested), Commands: []string{"tailor rightsize --principal " + arn}}},
				{ID: fmt.Sprintf("TRUST-WHOLE-ACCOUNT-%08x", i), Rule: review.RuleTrustWholeAccount, Severity: review.SeverityLow, Title: "Trust to a whole outside account",
					Principal: arn, Evidence: review.Evidence{Summary: "Any principal of account " + caller + " may assume the role.", Statement: &review.StatementRef{Policy: "trust policy", Document: stmt}},
					Remedy: review.Remedy{Summary: "Name the vendor's role."}},
			}}
		rep.Principals = append(rep.Principals, p)
		rep.Counts.Medium++
		rep.Counts.Low++

		s := &rightsize.Suggestion{Principal: arn, Name: name, Kind: "role", Current: []*policy.Policy{cur}, Policies: []*policy.Policy{sug},
			Resources: rightsize.ResourcesKeep, Granted: len(all), Used: len(used), UnusedShare: 1 - float64(len(used))/float64(len(all)),
			Verification: rightsize.Verification{NoNewAccess: true, ObservedRequests: 40, AllowedToday: 40}}
		for _, a := range all {
			if containsString(used, a) {
				s.Kept = append(s.Kept, rightsize.Action{Action: a, Reason: rightsize.KeptUsed, Calls: int64(days * 10), LastUsed: end.Add(-time.Hour)})
			} else {
				s.Removed = append(s.Removed, rightsize.Action{Action: a, Reason: rightsize.RemovedUnused})
			}
		}
		run.Suggestions = append(run.Suggestions, s)

		for d := 0; d < days; d++ {
			day := start.Add(time.Duration(d) * 24 * time.Hour)
			for k := 0; k < 2; k++ {
				t0 := day.Add(time.Duration(3+k*12) * time.Hour)
				sess := &review.Session{ID: fmt.Sprintf("ASIA%012d%04d", i, d*2+k), Principal: arn, CallerAccount: caller,
					SessionName: "vendor-poller-" + fmt.Sprint(d), Start: t0, End: t0.Add(40 * time.Minute), AssumedBy: "arn:aws:iam::" + caller + ":role/poller",
					AssumedAt: t0, SourceIPs: []string{"198.51.100.7"}, UserAgents: []string{"aws-sdk-go-v2/1.30.0 os/linux lang/go#1.22 md/GOOS#linux"},
					Regions: []string{"us-east-1", "eu-west-1"}, Calls: 20}
				for _, a := range used[:4] {
					sess.Actions = append(sess.Actions, &review.SessionAction{Event: a, Calls: 5, First: t0, Last: t0.Add(30 * time.Minute)})
				}
				tl.Sessions = append(tl.Sessions, sess)
			}
			for _, a := range used[:3] {
				svc, evName, _ := strings.Cut(a, ":")
				ev.Time, ev.Principal, ev.CallerAccount, ev.EventSource, ev.EventName, ev.Region = day.Add(5*time.Hour), arn, caller, svc+".amazonaws.com", evName, "us-east-1"
				for c := 0; c < 3; c++ {
					b.Add(ev, true)
				}
			}
		}
		for k := 0; k < 5; k++ {
			tl.Firsts = append(tl.Firsts, review.First{Time: start.Add(time.Duration(k) * time.Hour), Principal: arn, Kind: review.FirstAction, Value: used[k]})
		}
	}
	return &report.HTMLInput{Tool: "tailor test", Review: rep, Rightsize: run, Timeline: tl, Usage: usage.Finish(usage.Meta{}, b)}
}

func jsonList(xs []string) string { return `["` + strings.Join(xs, `","`) + `"]` }

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// scalePrincipals is the size of the scale tests: 1,000 principals, or
// 100 under the race detector, which would make 1,000 take minutes.
func scalePrincipals() int {
	if raceEnabled {
		return 100
	}
	return 1000
}

// scaleHTML is the report of scaleInput(scalePrincipals(), 90), made once;
// scaleWrite is how long WriteHTML took.
var (
	scaleWrite time.Duration
	scaleHTML  = sync.OnceValues(func() ([]byte, error) {
		in := scaleInput(nil, scalePrincipals(), 90)
		var b bytes.Buffer
		start := time.Now()
		err := report.WriteHTML(&b, in, report.HTMLOptions{})
		scaleWrite = time.Since(start)
		return b.Bytes(), err
	})
)

// TestHTMLScale writes the report of 1,000 third parties over 90 days and
// bounds its size: the page embeds per principal what its sections show,
// not the raw activity.
func TestHTMLScale(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the 1,000-principal report takes a few seconds")
	}
	n := scalePrincipals()
	page, err := scaleHTML()
	if err != nil {
		t.Fatal(err)
	}
	_, docs := embeddedData(t, page)
	if len(docs) != n+1 {
		t.Fatalf("%d documents, want %d", len(docs), n+1)
	}
	t.Logf("%d principals, 90 days, %d sessions: %.1f MB of HTML (index %d KB), written in %v",
		n, n*180, float64(len(page))/(1<<20), len(docs["index"])>>10, scaleWrite.Round(time.Millisecond))
	// Per principal at most the 20 latest sessions are kept.
	var det struct {
		Activity struct {
			SessionsTotal int   `json:"sessions_total"`
			Sessions      []any `json:"sessions"`
		} `json:"activity"`
	}
	if err := jsonUnmarshal(docs[fmt.Sprintf("p%d", n-1)], &det); err != nil {
		t.Fatal(err)
	}
	if det.Activity.SessionsTotal != 180 || len(det.Activity.Sessions) != 20 {
		t.Errorf("sessions: %d of %d kept, want 20 of 180", len(det.Activity.Sessions), det.Activity.SessionsTotal)
	}
	// 10 MB for 1,000 principals.
	if limit := n * 10 << 10; len(page) > limit {
		t.Errorf("the report is %d KB, more than %d KB", len(page)>>10, limit>>10)
	}
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
