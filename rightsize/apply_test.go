package rightsize_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/rightsize"
)

// The tests of this file check that a suggestion is one a person can
// apply: as short as what it replaces, with today's Sids, no empty
// document, and saying what it rests on.

// grantedBy expands the Allow statements of docs against the catalog.
func grantedBy(t *testing.T, docs []*policy.Policy) []string {
	t.Helper()
	cat := testCatalog(t)
	rs, err := rightsize.New(cat, (&scenario{arn: role}).index(t), rightsize.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range docs {
		for i := range p.Statements {
			if st := &p.Statements[i]; st.Effect == policy.Allow {
				out = append(out, policy.StatementActions(rs.Catalog(), st)...)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func statementWith(sug *rightsize.Suggestion, sid string) *policy.Statement {
	for _, p := range sug.Policies {
		for i := range p.Statements {
			if p.Statements[i].Sid == sid {
				return &p.Statements[i]
			}
		}
	}
	return nil
}

func TestWildcardKeptAsWritten(t *testing.T) {
	const doc = `{"Version":"2012-10-17","Statement":[
		{"Sid":"Tags","Effect":"Allow","Action":["s3:GetObjectT*","s3:GetBucketP*"],"Resource":"*"}]}`
	// s3:GetObjectT* is GetObjectTagging and GetObjectTorrent, both used;
	// s3:GetBucketPolicy alone of s3:GetBucketP* (Policy, PolicyStatus,
	// PublicAccessBlock) is.
	sc := scenario{arn: role, policies: []string{doc}, calls: []call{
		{day: 1, source: "s3", name: "GetObjectTagging", data: true, resources: []string{"arn:aws:s3:::b/k"}},
		{day: 2, source: "s3", name: "GetObjectTorrent", data: true, resources: []string{"arn:aws:s3:::b/k"}},
		{day: 3, source: "s3", name: "GetBucketPolicy", resources: []string{"arn:aws:s3:::b"}},
	}}
	sug, _, err := sc.run(t)
	if err != nil {
		t.Fatal(err)
	}
	st := statementWith(sug, "Tags")
	if st == nil {
		t.Fatalf("no statement Tags in %s", describePolicies(sug.Policies))
	}
	if want := []string{"s3:GetBucketPolicy", "s3:GetObjectT*"}; !slices.Equal(st.Action, want) {
		t.Errorf("actions %v, want %v", st.Action, want)
	}
}

func TestNotActionKeptAsWritten(t *testing.T) {
	// The boundary lets the NotAction statement grant two actions; both
	// are used, so the statement stays as written.
	sc := scenario{arn: role,
		policies: []string{`{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`},
		boundary: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjectT*","Resource":"*"}]}`,
		calls: []call{
			{day: 1, source: "s3", name: "GetObjectTagging", data: true, resources: []string{"arn:aws:s3:::b/k"}},
			{day: 2, source: "s3", name: "GetObjectTorrent", data: true, resources: []string{"arn:aws:s3:::b/k"}},
		}}
	sug, _, err := sc.run(t)
	if err != nil {
		t.Fatal(err)
	}
	st := statementWith(sug, "All")
	if st == nil || !slices.Equal(st.NotAction, []string{"iam:*"}) || len(st.Action) > 0 {
		t.Errorf("suggestion %s, want the NotAction statement as written", describePolicies(sug.Policies))
	}
	// Without the second call, the statement becomes a list.
	sc.calls = sc.calls[:1]
	if sug, _, err = sc.run(t); err != nil {
		t.Fatal(err)
	}
	if st := statementWith(sug, "All"); st == nil || len(st.NotAction) > 0 || !slices.Equal(st.Action, []string{"s3:GetObjectTagging"}) {
		t.Errorf("suggestion %s, want s3:GetObjectTagging alone", describePolicies(sug.Policies))
	}
}

// TestCompactGrantsTheSame rightsizes the scenarios with and without
// Compact: the compact suggestion grants, in the catalog, exactly the
// same actions in no more entries, and uses wildcards.
func TestCompactGrantsTheSame(t *testing.T) {
	scenarios := map[string]scenario{
		"wide": {arn: role, policies: []string{"wide.json"}, calls: []call{{day: 1, source: "ec2", name: "DescribeInstances"}}},
		"notaction": {arn: role, policies: []string{"notaction.json"}, calls: []call{
			{day: 1, source: "ec2", name: "DescribeInstances"},
			{day: 2, source: "s3", name: "GetObject", data: true, resources: []string{"arn:aws:s3:::b/k"}}}},
		"passrole": {arn: role, policies: []string{"passrole.json"}, calls: []call{{day: 1, source: "ec2", name: "RunInstances"}}},
		"readonly": {arn: role, policies: []string{`{"Version":"2012-10-17","Statement":[{"Sid":"RO","Effect":"Allow",
			"Action":["s3:Get*","s3:List*","ec2:Describe*","kms:Describe*","kms:List*"],"Resource":"*"}]}`},
			calls: []call{{day: 1, source: "ec2", name: "DescribeInstances"}}},
	}
	wildcards := 0
	for name, sc := range scenarios {
		t.Run(name, func(t *testing.T) {
			plain, _, err := sc.run(t)
			if err != nil {
				t.Fatal(err)
			}
			sc.opts.Compact = true
			compact, _, err := sc.run(t)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := grantedBy(t, compact.Policies), grantedBy(t, plain.Policies); !slices.Equal(a, b) {
				t.Errorf("compact grants %d actions, plain %d:\ncompact %v", len(a), len(b), describePolicies(compact.Policies))
			}
			np, nc := len(suggestedActions(plain)), len(suggestedActions(compact))
			if nc > np {
				t.Errorf("compact has %d entries, plain %d", nc, np)
			}
			for _, a := range suggestedActions(compact) {
				if strings.HasSuffix(a, "*") {
					wildcards++
				}
			}
			t.Logf("%s: %d entries plain, %d compact", name, np, nc)
		})
	}
	if wildcards == 0 {
		t.Error("no scenario gave a compact wildcard")
	}
}

func TestSidsKept(t *testing.T) {
	const doc = `{"Version":"2012-10-17","Statement":[
		{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
		{"Sid":"Write","Effect":"Allow","Action":"s3:PutObject","Resource":"*"},
		{"Effect":"Allow","Action":["s3:ListBucket","s3:*"],"Resource":["arn:aws:s3:::b","*"]}]}`
	sc := scenario{arn: role, policies: []string{doc}, calls: []call{
		{day: 1, source: "s3", name: "GetObject", data: true, resources: []string{"arn:aws:s3:::b/k"}},
		{day: 2, source: "s3", name: "PutObject", data: true, resources: []string{"arn:aws:s3:::b/k"}},
	}}
	sug, _, err := sc.run(t)
	if err != nil {
		t.Fatal(err)
	}
	for sid, action := range map[string]string{"Read": "s3:GetObject", "Write": "s3:PutObject"} {
		if st := statementWith(sug, sid); st == nil || !slices.Contains(st.Action, action) {
			t.Errorf("statement %s with %s missing from %s", sid, action, describePolicies(sug.Policies))
		}
	}
	for _, p := range sug.Policies {
		for _, st := range p.Statements {
			if slices.Contains(st.Resource, "*") && len(st.Resource) > 1 {
				t.Errorf("a resource list beside \"*\": %v", st.Resource)
			}
		}
	}
}

// TestDetach: a principal that keeps nothing gets no document, and the
// commands that detach each of its policies.
func TestDetach(t *testing.T) {
	docs := []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:ListQueues","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetBucketPolicy","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeVolumes","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ListKeys","Resource":"*"}]}`,
	}
	sources := []account.Source{
		{Kind: account.SourceInline, Name: "inventory"},
		{Kind: account.SourceManaged, Name: "Shared", ARN: "arn:aws:iam::111122223333:policy/Shared"},
		{Kind: account.SourceManaged, Name: "Ops", ARN: "arn:aws:iam::111122223333:policy/Ops", Group: "ops team"},
		{Kind: account.SourceInline, Name: "keys", Group: "ops team"},
	}
	for _, kind := range []string{"role", "user"} {
		sc := scenario{arn: "arn:aws:iam::" + own + ":" + kind + "/VendorRole", kind: kind, policies: docs}
		s := sc.subject(t)
		s.Sources = sources
		rs, err := rightsize.New(testCatalog(t), sc.index(t), rightsize.Options{Since: day0, Until: day0.AddDate(0, 0, 14)})
		if err != nil {
			t.Fatal(err)
		}
		sug, err := rs.Suggest(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		if len(sug.Policies) != 0 || len(sug.Unobservable) != 0 {
			t.Fatalf("a suggestion that keeps nothing has documents: %s (unobservable %v)", describePolicies(sug.Policies), actionNames(sug.Unobservable))
		}
		var cmds []string
		for _, d := range sug.Detach {
			cmds = append(cmds, d.Command)
		}
		want := []string{
			"aws iam delete-" + kind + "-policy --" + kind + "-name VendorRole --policy-name inventory",
			"aws iam detach-" + kind + "-policy --" + kind + "-name VendorRole --policy-arn arn:aws:iam::111122223333:policy/Shared",
			"aws iam remove-user-from-group --user-name VendorRole --group-name 'ops team'",
		}
		if !slices.Equal(cmds, want) {
			t.Errorf("%s: detach commands\n%q\nwant\n%q", kind, cmds, want)
		}
	}
}

// TestDenyOnlyKept: when no Allow is kept, today's Deny statements stay:
// they may refuse what a resource policy allows.
func TestDenyOnlyKept(t *testing.T) {
	const doc = `{"Version":"2012-10-17","Statement":[
		{"Sid":"Read","Effect":"Allow","Action":"s3:GetBucketPolicy","Resource":"*"},
		{"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`
	sug, _, err := (&scenario{arn: role, policies: []string{doc}}).run(t)
	if err != nil {
		t.Fatal(err)
	}
	if st := statementWith(sug, "NoDelete"); st == nil || st.Effect != policy.Deny || len(sug.Detach) > 0 {
		t.Errorf("suggestion %s detach %v, want the Deny statement kept", describePolicies(sug.Policies), sug.Detach)
	}
}

// TestGaps: days without logs keep every statement, and the suggestion
// says which days as ranges; AllowGaps suggests from the other days.
func TestGaps(t *testing.T) {
	sc := scenario{arn: role, policies: []string{"s3-reader.json"}, gaps: []int{3, 4, 5, 9}, calls: []call{
		{day: 1, source: "s3", name: "GetObject", data: true, resources: []string{"arn:aws:s3:::acme-data/x"}},
	}}
	sug, _, err := sc.run(t)
	if err != nil {
		t.Fatal(err)
	}
	note := strings.Join(sug.Notes, "\n")
	if !sug.KeptAsIs || len(sug.Removed) > 0 || !strings.Contains(note, "4 of 14 days in the window have no logs (2026-10-04 to 2026-10-06, 2026-10-10)") {
		t.Errorf("kept as is %v, removed %v, notes:\n%s", sug.KeptAsIs, actionNames(sug.Removed), note)
	}
	sc.opts.AllowGaps = true
	if sug, _, err = sc.run(t); err != nil {
		t.Fatal(err)
	}
	note = strings.Join(sug.Notes, "\n")
	if sug.KeptAsIs || len(sug.Removed) == 0 || !strings.Contains(note, "rests on the other 10 days") {
		t.Errorf("with AllowGaps: kept as is %v, removed %d, notes:\n%s", sug.KeptAsIs, len(sug.Removed), note)
	}
}

// TestServiceLevel: a suggestion past the attachment quota names the
// services that fill it and offers whole services where today's policy
// grants them whole, and nowhere else.
func TestServiceLevel(t *testing.T) {
	const doc = `{"Version":"2012-10-17","Statement":[
		{"Sid":"Admin","Effect":"Allow","Action":["s3:*","iam:*"],"Resource":"*"},
		{"Sid":"Look","Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`
	sc := scenario{arn: role, policies: []string{doc}, opts: rightsize.Options{MaxPolicies: 1, MaxPolicySize: 500}, calls: []call{
		{day: 1, source: "s3", name: "GetObject", data: true, resources: []string{"arn:aws:s3:::b/k"}},
		{day: 1, source: "ec2", name: "DescribeInstances"},
	}}
	sug, _, err := sc.run(t)
	if err != nil {
		t.Fatal(err)
	}
	if len(sug.Policies) <= 1 {
		t.Fatalf("the suggestion fits one document of 500 characters (%d actions kept): the test needs more", len(sug.Kept)+len(sug.Unobservable))
	}
	sl := sug.ServiceLevel
	if sl == nil {
		t.Fatalf("no service-level form; notes %v", sug.Notes)
	}
	if len(sug.Services) == 0 || !strings.Contains(strings.Join(sug.Notes, "\n"), "service-level form") {
		t.Errorf("services %v, notes %v", sug.Services, sug.Notes)
	}
	if slices.Contains(sl.Services, "ec2") || !slices.Contains(sl.Services, "s3") {
		t.Errorf("services granted whole %v: want s3 (granted whole today), never ec2 (Describe* only)", sl.Services)
	}
	if len(sl.Policies) >= len(sug.Policies) {
		t.Errorf("service-level form in %d documents, the suggestion in %d", len(sl.Policies), len(sug.Policies))
	}
}

func TestDayRanges(t *testing.T) {
	d := func(n int) time.Time { return day0.AddDate(0, 0, n) }
	for _, tt := range []struct {
		days []time.Time
		want string
	}{
		{nil, ""},
		{[]time.Time{d(0)}, "2026-10-01"},
		{[]time.Time{d(0), d(1), d(2), d(5), d(7), d(8)}, "2026-10-01 to 2026-10-03, 2026-10-06, 2026-10-08 to 2026-10-09"},
	} {
		if got := rightsize.DayRanges(tt.days); got != tt.want {
			t.Errorf("DayRanges(%v) = %q, want %q", tt.days, got, tt.want)
		}
	}
}

// TestDeadGrants: a statement grants an action only on resources of the
// action's types; what its Resource can never match is not granted, not
// counted and never kept.
func TestDeadGrants(t *testing.T) {
	const doc = `{"Version":"2012-10-17","Statement":[{"Sid":"Bucket","Effect":"Allow",
		"Action":["ec2:DescribeInstances","s3:GetObject","s3:ListAllMyBuckets","iam:PassRole"],"Resource":"arn:aws:s3:::b/*"}]}`
	sug, _, err := (&scenario{arn: role, policies: []string{doc}, calls: []call{
		{day: 1, source: "s3", name: "GetObject", data: true, resources: []string{"arn:aws:s3:::b/k"}}}}).run(t)
	if err != nil {
		t.Fatal(err)
	}
	if sug.Granted != 1 || !slices.Equal(suggestedActions(sug), []string{"s3:GetObject"}) || len(sug.Removed) != 0 {
		t.Errorf("granted %d, suggested %v, removed %v: only s3:GetObject applies to arn:aws:s3:::b/*",
			sug.Granted, suggestedActions(sug), actionNames(sug.Removed))
	}
}

// TestNoRepeats: an action an earlier statement with the same resources
// and conditions keeps is not repeated in a later one, and a statement left
// with nothing of its own goes; Sids of the others stay.
func TestNoRepeats(t *testing.T) {
	const doc = `{"Version":"2012-10-17","Statement":[
		{"Sid":"A","Effect":"Allow","Action":["iam:PassRole","s3:GetObject"],"Resource":"*"},
		{"Sid":"B","Effect":"Allow","Action":["iam:PassRole","s3:PutObject"],"Resource":"*"},
		{"Sid":"C","Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}`
	sug, _, err := (&scenario{arn: role, policies: []string{doc}, calls: []call{
		{day: 1, source: "s3", name: "GetObject", data: true, resources: []string{"arn:aws:s3:::b/k"}},
		{day: 1, source: "s3", name: "PutObject", data: true, resources: []string{"arn:aws:s3:::b/k"}}}}).run(t)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := statementWith(sug, "A"), statementWith(sug, "B"), statementWith(sug, "C")
	if a == nil || !slices.Equal(a.Action, []string{"iam:PassRole", "s3:GetObject"}) || b == nil ||
		!slices.Equal(b.Action, []string{"s3:PutObject"}) || c != nil {
		t.Errorf("suggestion %s: want A with both, B with s3:PutObject alone, no C", describePolicies(sug.Policies))
	}
}
