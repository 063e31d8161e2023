package rightsize_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/rightsize"
	"github.com/tailor-sec/tailor/usage"
)

// The universe of the property test: small enough that random policies
// and random calls meet often.
var (
	propAllow = []string{"s3:GetObject", "s3:PutObject", "s3:Get*", "s3:List*", "s3:*", "ec2:DescribeInstances",
		"ec2:Describe*", "ec2:StartInstances", "ec2:StopInstances", "kms:Decrypt", "kms:*", "dynamodb:GetItem",
		"dynamodb:Query", "dynamodb:*", "sqs:SendMessage", "iam:PassRole", "sts:AssumeRole"}
	propResources = []string{"*", "*", "arn:aws:s3:::b1/*", "arn:aws:s3:::b1/logs/*", "arn:aws:s3:::b2/*", "arn:aws:s3:::b1",
		"arn:aws:ec2:us-east-1:*:instance/*", "arn:aws:kms:us-east-1:*:key/k1", "arn:aws:dynamodb:*:*:table/t1",
		"arn:aws:sqs:us-east-1:*:q1", "arn:aws:s3:::b?/*"}
	propConditions = [][]policy.Clause{
		{{Operator: "StringEquals", Key: "aws:RequestedRegion", Values: []string{"us-east-1"}}},
		{{Operator: "IpAddress", Key: "aws:SourceIp", Values: []string{"10.0.0.0/8"}}},
		{{Operator: "Bool", Key: "aws:SecureTransport", Values: []string{"true"}}},
		{{Operator: "StringNotEquals", Key: "aws:RequestedRegion", Values: []string{"eu-west-1"}},
			{Operator: "IpAddress", Key: "aws:SourceIp", Values: []string{"10.0.0.0/8", "192.0.2.0/24"}}},
	}
	// Requests sampled to look for new access, and the contexts.
	propActions = []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:GetObjectVersion",
		"s3:PutObjectAcl", "s3:GetBucketPolicy", "ec2:DescribeInstances", "ec2:DescribeVolumes", "ec2:StartInstances",
		"ec2:TerminateInstances", "kms:Decrypt", "kms:Encrypt", "dynamodb:GetItem", "dynamodb:PutItem", "sqs:SendMessage",
		"iam:PassRole", "iam:CreateUser", "sts:AssumeRole", "ec2:CreateTags"}
	propARNs = []string{"*", "arn:aws:s3:::b1/a", "arn:aws:s3:::b1/logs/x", "arn:aws:s3:::b2/c", "arn:aws:s3:::b1",
		"arn:aws:s3:::b2", "arn:aws:s3:::b3/d", "arn:aws:ec2:us-east-1:%s:instance/i-1", "arn:aws:kms:us-east-1:%s:key/k1",
		"arn:aws:kms:us-east-1:%s:key/k2", "arn:aws:dynamodb:us-east-1:%s:table/t1", "arn:aws:sqs:us-east-1:%s:q1"}
	propContexts = func() []map[string][]string {
		var out []map[string][]string
		for _, region := range []string{"", "us-east-1", "eu-west-1"} {
			for _, ip := range []string{"", "10.1.2.3", "192.0.2.1"} {
				for _, tls := range []string{"", "true", "false"} {
					ctx := map[string][]string{}
					for k, v := range map[string]string{"aws:RequestedRegion": region, "aws:SourceIp": ip, "aws:SecureTransport": tls} {
						if v != "" {
							ctx[k] = []string{v}
						}
					}
					out = append(out, ctx)
				}
			}
		}
		return out
	}()
)

// propEvent is a call the generator knows the IAM action and resource of,
// independently of the catalog.
type propEvent struct {
	source, name, action string
	resource             string // of the action's type; "" for none
	extra                []string
	data                 bool
}

func propEvents(acct string) []propEvent {
	arn := func(f string) string { return fmt.Sprintf(f, acct) }
	return []propEvent{
		{"s3.amazonaws.com", "GetObject", "s3:GetObject", "arn:aws:s3:::b1/a", []string{"arn:aws:s3:::b1"}, true},
		{"s3.amazonaws.com", "GetObject", "s3:GetObject", "arn:aws:s3:::b1/logs/x", []string{"arn:aws:s3:::b1"}, true},
		{"s3.amazonaws.com", "GetObject", "s3:GetObject", "arn:aws:s3:::b2/c", []string{"arn:aws:s3:::b2"}, true},
		{"s3.amazonaws.com", "PutObject", "s3:PutObject", "arn:aws:s3:::b1/logs/y", []string{"arn:aws:s3:::b1"}, true},
		{"s3.amazonaws.com", "ListObjects", "s3:ListBucket", "arn:aws:s3:::b1", nil, true},
		{"ec2.amazonaws.com", "DescribeInstances", "ec2:DescribeInstances", "", nil, false},
		{"ec2.amazonaws.com", "StartInstances", "ec2:StartInstances", arn("arn:aws:ec2:us-east-1:%s:instance/i-1"), nil, false},
		{"kms.amazonaws.com", "Decrypt", "kms:Decrypt", arn("arn:aws:kms:us-east-1:%s:key/k1"), nil, false},
		{"kms.amazonaws.com", "Decrypt", "kms:Decrypt", arn("arn:aws:kms:us-east-1:%s:key/k2"), nil, false},
		{"dynamodb.amazonaws.com", "GetItem", "dynamodb:GetItem", arn("arn:aws:dynamodb:us-east-1:%s:table/t1"), nil, true},
		{"sqs.amazonaws.com", "SendMessage", "sqs:SendMessage", arn("arn:aws:sqs:us-east-1:%s:q1"), nil, true},
	}
}

type propCase struct {
	subject *rightsize.Subject
	acct    string
	gap     bool
	calls   []propCall
}

type propCall struct {
	ev     propEvent
	region string
	day    int
	err    string
}

func randomStatement(r *rand.Rand, effect policy.Effect) policy.Statement {
	st := policy.Statement{Effect: effect}
	if effect == policy.Allow && r.IntN(12) == 0 {
		st.NotAction = []string{[]string{"iam:*", "s3:*", "ec2:*"}[r.IntN(3)]}
	} else {
		for n := 1 + r.IntN(4); n > 0; n-- {
			st.Action = append(st.Action, propAllow[r.IntN(len(propAllow))])
		}
	}
	if r.IntN(10) == 0 {
		st.NotResource = []string{"arn:aws:s3:::b2/*"}
	} else {
		for n := 1 + r.IntN(2); n > 0; n-- {
			st.Resource = append(st.Resource, propResources[r.IntN(len(propResources))])
		}
	}
	if r.IntN(3) == 0 {
		st.Condition = propConditions[r.IntN(len(propConditions))]
	}
	return st
}

func randomPolicy(r *rand.Rand, name string, denies bool) *policy.Policy {
	p := &policy.Policy{Version: policy.Version2012, Name: name}
	for n := 1 + r.IntN(4); n > 0; n-- {
		p.Statements = append(p.Statements, randomStatement(r, policy.Allow))
	}
	if denies && r.IntN(3) == 0 {
		p.Statements = append(p.Statements, randomStatement(r, policy.Deny))
	}
	if err := p.Compile(); err != nil {
		panic(err)
	}
	return p
}

// TestProperty rightsizes random principals with random policies and
// random calls, in every resource mode, and checks the two verified
// guarantees by brute force with policy.Evaluate, not with the verifier:
// no sampled request is allowed by the suggestion and refused today, and
// every successful call that today's policies allow is still allowed, in
// every context of the sample.
func TestProperty(t *testing.T) {
	n := 160
	if testing.Short() || raceEnabled {
		n = 40
	}
	r := rand.New(rand.NewPCG(11, 12))
	const days = 7
	b := usage.NewBuilder(usage.BuilderOptions{})
	var cases []*propCase
	for i := 0; i < n; i++ {
		acct := fmt.Sprintf("%012d", 100000000000+i)
		c := &propCase{acct: acct, gap: r.IntN(10) == 0}
		arn := "arn:aws:iam::" + acct + ":role/r" + fmt.Sprint(i)
		c.subject = &rightsize.Subject{ARN: arn, Name: "r" + fmt.Sprint(i), Kind: "role", Account: acct}
		for k := 1 + r.IntN(2); k > 0; k-- {
			c.subject.Identity = append(c.subject.Identity, randomPolicy(r, fmt.Sprintf("p%d", k), true))
		}
		if r.IntN(3) == 0 {
			c.subject.Boundary = randomPolicy(r, "boundary", true)
		}
		for d := 0; d < days; d++ {
			if c.gap && d == 3 {
				continue
			}
			b.Add(&tailor.Event{Time: day0.AddDate(0, 0, d), Account: acct, Region: "us-east-1", EventSource: "sts.amazonaws.com",
				EventName: "GetCallerIdentity", Principal: "arn:aws:iam::" + acct + ":user/x"}, false)
		}
		evs := propEvents(acct)
		for k := r.IntN(12); k > 0; k-- {
			pc := propCall{ev: evs[r.IntN(len(evs))], region: []string{"us-east-1", "eu-west-1"}[r.IntN(2)], day: r.IntN(days)}
			if c.gap && pc.day == 3 {
				pc.day = 4 // the principal's own records would fill the gap
			}
			switch r.IntN(8) {
			case 0:
				pc.err = "AccessDenied"
			case 1:
				pc.err = "ThrottlingException"
			}
			c.calls = append(c.calls, pc)
			res := append([]string(nil), pc.ev.extra...)
			if pc.ev.resource != "" {
				res = append(res, pc.ev.resource)
			}
			b.Add(&tailor.Event{Time: day0.AddDate(0, 0, pc.day).Add(time.Hour), Account: acct, Region: pc.region,
				Principal: arn, PrincipalType: tailor.IdentityAssumedRole, CallerAccount: vendor,
				EventSource: pc.ev.source, EventName: pc.ev.name, ErrorCode: pc.err, Data: pc.ev.data, Resources: res}, true)
		}
		cases = append(cases, c)
	}
	ix := usage.Finish(usage.Meta{}, b)
	cat := testCatalog(t)
	// Compact wildcards run with keep and generalize; a quota of one
	// policy (and small documents) makes every principal that keeps
	// anything get the service-level form too, which the same checks
	// cover.
	for _, o := range []struct {
		mode    rightsize.ResourceMode
		compact bool
	}{{rightsize.ResourcesKeep, false}, {rightsize.ResourcesKeep, true}, {rightsize.ResourcesObserved, false},
		{rightsize.ResourcesGeneralize, true}} {
		mode := o.mode
		opts := rightsize.Options{Since: day0, Until: day0.AddDate(0, 0, days), Resources: mode,
			GeneralizeThreshold: 1, DropConditional: mode == rightsize.ResourcesObserved, Compact: o.compact}
		if o.compact && mode == rightsize.ResourcesKeep {
			opts.MaxPolicies, opts.MaxPolicySize = 1, 400
		}
		rs, err := rightsize.New(cat, ix, opts)
		if err != nil {
			t.Fatal(err)
		}
		var subjects []*rightsize.Subject
		for _, c := range cases {
			subjects = append(subjects, c.subject)
		}
		fallbacks, serviceLevel := 0, 0
		for i, res := range rs.SuggestAll(context.Background(), subjects) {
			c := cases[i]
			if res.Err != nil {
				t.Errorf("%s %s: %v\n%s", mode, c.subject.Name, res.Err, describe(c.subject))
				continue
			}
			sug := res.Suggestion
			if sug.Resources != mode {
				fallbacks++
			}
			checkProperty(t, r, mode, c, sug.Policies, sug)
			if sl := sug.ServiceLevel; sl != nil {
				serviceLevel++
				checkProperty(t, r, mode, c, sl.Policies, sug)
			}
		}
		t.Logf("%s (compact %v): %d principals, %d fell back to kept resources, %d with a service-level form", mode, o.compact, len(cases), fallbacks, serviceLevel)
	}
}

func checkProperty(t *testing.T, r *rand.Rand, mode rightsize.ResourceMode, c *propCase, docs []*policy.Policy, sug *rightsize.Suggestion) {
	t.Helper()
	cur := policy.PolicySet{Identity: c.subject.Identity, Boundary: c.subject.Boundary}
	sg := policy.PolicySet{Identity: docs, Boundary: c.subject.Boundary}
	eval := func(set policy.PolicySet, a, res string, ctx map[string][]string) bool {
		return policy.Evaluate(policy.Request{Action: a, Resource: res, Context: ctx, ContextComplete: true,
			Caller: policy.Caller{ARN: c.subject.ARN}}, set).Outcome == policy.Allowed
	}
	// 1. No new access, on sampled requests.
	for k := 0; k < 400; k++ {
		a := propActions[r.IntN(len(propActions))]
		res := propARNs[r.IntN(len(propARNs))]
		if strings.Contains(res, "%s") {
			res = fmt.Sprintf(res, c.acct)
		}
		ctx := propContexts[r.IntN(len(propContexts))]
		if eval(sg, a, res, ctx) && !eval(cur, a, res, ctx) {
			t.Errorf("%s %s: new access: %s on %s with %v\ncurrent:\n%s\nsuggested:\n%s", mode, c.subject.Name, a, res, ctx,
				describe(c.subject), describePolicies(docs))
			return
		}
	}
	// 2. Nothing observed breaks.
	for _, pc := range c.calls {
		if pc.err != "" {
			continue
		}
		res := pc.ev.resource
		if res == "" {
			res = "*"
		}
		for _, ctx := range propContexts {
			ctx := clone(ctx)
			ctx["aws:RequestedRegion"] = []string{pc.region}
			if eval(cur, pc.ev.action, res, ctx) && !eval(sg, pc.ev.action, res, ctx) {
				t.Errorf("%s %s: observed %s on %s with %v allowed today, refused by the suggestion\ncurrent:\n%s\nsuggested:\n%s",
					mode, c.subject.Name, pc.ev.action, res, ctx, describe(c.subject), describePolicies(docs))
				return
			}
		}
	}
	// Silence is not disuse: with a gap in the logs nothing is removed.
	if c.gap && countReason(sug.Removed, rightsize.RemovedUnused)+countReason(sug.Removed, rightsize.RemovedOutsideWindow) > 0 {
		t.Errorf("%s %s: removed %v although a day has no logs", mode, c.subject.Name, actionNames(sug.Removed))
	}
}

func clone(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m)+1)
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}

func describe(s *rightsize.Subject) string {
	out := describePolicies(s.Identity)
	if s.Boundary != nil {
		out += "boundary " + describePolicies([]*policy.Policy{s.Boundary})
	}
	return out
}

func describePolicies(ps []*policy.Policy) string {
	var b strings.Builder
	for _, p := range ps {
		j, _ := p.MarshalJSON()
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}
