package policy

import (
	"testing"
)

// issue12Case is one request decided against identity policies given as
// JSON, with the outcome AWS documents.
type issue12Case struct {
	name     string
	policies []string
	req      Request
	want     Outcome
}

func (c issue12Case) run(t *testing.T) {
	t.Helper()
	var set PolicySet
	for i, doc := range c.policies {
		p, err := Parse([]byte(doc))
		if err != nil {
			t.Fatalf("policy %d: %v", i, err)
		}
		p.Name = "p" + itoa(i)
		set.Identity = append(set.Identity, p)
	}
	if d := Evaluate(c.req, set); d.Outcome != c.want {
		t.Errorf("%s: outcome %v, want %v (decision %+v)", c.name, d.Outcome, c.want, d)
	}
}

const allowAll = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`

// TestIssue12Repros holds the minimal repros of issue 12, each a request
// tailor once decided open where AWS refuses it (or the other way round).
// Each case cites the rule of AWS's documentation it checks.
func TestIssue12Repros(t *testing.T) {
	complete := func(action, resource string, ctx map[string][]string) Request {
		return Request{Action: action, Resource: resource, Context: ctx, ContextComplete: true}
	}
	cases := []issue12Case{
		// 1. IAM User Guide, "IAM policy elements: Variables and tags",
		// Policy variables with no value: "If a variable that has no value
		// in the authorization context is used as part of the Resource or
		// NotResource element of a policy, the resource that includes a
		// policy variable with no value will not match any resource." Only
		// that entry matches nothing; the Deny's other entry still applies.
		{
			name: "1 one Resource entry does not resolve",
			policies: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
				{"Effect":"Deny","Action":"s3:GetObject","Resource":["arn:aws:s3:::data/${aws:PrincipalTag/team}/*","arn:aws:s3:::data/alice/report.txt"]}]}`},
			req:  complete("s3:GetObject", "arn:aws:s3:::data/alice/report.txt", nil),
			want: ExplicitDeny,
		},
		// 2. Same section: when a variable has no value "the value is
		// effectively null. There is no equal or like value", so only that
		// condition value fails to match; "dev" still does. IAM User Guide,
		// "Conditions with multiple context keys or values": the values of
		// one key are ORed.
		{
			name: "2 one condition value does not resolve",
			policies: []string{allowAll, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*",
				"Condition":{"StringEquals":{"aws:PrincipalTag/team":["dev","${aws:username}"]}}}}`},
			req:  complete("s3:GetObject", "arn:aws:s3:::b/k", map[string][]string{"aws:PrincipalTag/team": {"dev"}}),
			want: ExplicitDeny,
		},
		// 3. Same section, AWS's own example: "Inverted condition operators
		// like StringNotEquals or StringNotLike do match against a null
		// value ... Access is explicitly denied when aws:principaltag/Team
		// is not set."
		{
			name: "3 StringNotEquals against a null variable",
			policies: []string{allowAll, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:GetObject",
				"Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*",
				"Condition":{"StringNotEquals":{"s3:ExistingObjectTag/Team":"${aws:PrincipalTag/Team}"}}}}`},
			req:  complete("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/x", map[string][]string{"s3:ExistingObjectTag/Team": {"blue"}}),
			want: ExplicitDeny,
		},
		// 4. Same section, NotResource: the entry matches no resource, so
		// it excludes none and the Deny applies to every resource.
		{
			name: "4 NotResource entry does not resolve",
			policies: []string{allowAll, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*",
				"NotResource":"arn:aws:s3:::data/${aws:PrincipalTag/team}/*"}}`},
			req:  complete("s3:GetObject", "arn:aws:s3:::data/dev/x", nil),
			want: ExplicitDeny,
		},
		// 5. IAM User Guide, "Single-valued vs. multivalued context keys":
		// ForAnyValue returns false when the key is not in the request.
		// ...IfExists only turns an absent key true for an operator without
		// a set operator ("Condition operators", ...IfExists); it does not
		// make ForAnyValue hold on nothing.
		{
			name: "5 ForAnyValue...IfExists on an absent key",
			policies: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:TagUser","Resource":"*",
				"Condition":{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["team"]}}}}`},
			req:  complete("iam:TagUser", "arn:aws:iam::111122223333:user/bob", nil),
			want: ImplicitDeny,
		},
		// 6. IAM User Guide, "IAM policy elements: Variables and tags",
		// Resource element: "You can use a policy variable in the Resource
		// element, but only in the resource portion of the ARN. This portion
		// of the ARN appears after the fifth colon (:). You can't use a
		// variable to replace parts of the ARN before the fifth colon, such
		// as the service or account." Before it, "${...}" is text.
		{
			name: "6 variable before the fifth colon is text",
			policies: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:StartInstances",
				"Resource":"arn:aws:ec2:*:${aws:PrincipalAccount}:instance/*"}}`},
			req: Request{Action: "ec2:StartInstances", Resource: "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
				Caller: Caller{Account: "111122223333"}, ContextComplete: true},
			want: ImplicitDeny,
		},
		{
			name: "6 the same text, literally",
			policies: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:StartInstances",
				"Resource":"arn:aws:ec2:*:${aws:PrincipalAccount}:instance/*"}}`},
			req: Request{Action: "ec2:StartInstances", Resource: "arn:aws:ec2:us-east-1:${aws:PrincipalAccount}:instance/i-1",
				Caller: Caller{Account: "111122223333"}, ContextComplete: true},
			want: Allowed,
		},
		// 7. STS API Reference, GetCallerIdentity: "No permissions are
		// required to perform this operation. If an administrator attaches a
		// policy to your identity that explicitly denies access to the
		// sts:GetCallerIdentity action, you can still perform this
		// operation."
		{
			name:     "7 GetCallerIdentity despite a Deny",
			policies: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"sts:*","Resource":"*"}}`},
			req:      complete("sts:GetCallerIdentity", "*", nil),
			want:     Allowed,
		},
		{
			name:     "7 GetCallerIdentity with no policy",
			policies: nil,
			req:      Request{Action: "STS:getcalleridentity"},
			want:     Allowed,
		},
		// IAM User Guide, "Policy evaluation logic": an explicit deny in any
		// policy overrides any allow. Other STS actions stay denied.
		{
			name:     "7 other STS actions are still denied",
			policies: []string{allowAll, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"sts:*","Resource":"*"}}`},
			req:      complete("sts:GetAccessKeyInfo", "*", nil),
			want:     ExplicitDeny,
		},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

// TestGetCallerIdentityExempt checks that the decision says why
// sts:GetCallerIdentity is allowed: no statement decided it.
func TestGetCallerIdentityExempt(t *testing.T) {
	p, err := Parse([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`))
	if err != nil {
		t.Fatal(err)
	}
	d := Evaluate(Request{Action: "sts:GetCallerIdentity"}, PolicySet{Identity: []*Policy{p}, SCPs: [][]*Policy{{p}}})
	if d.Outcome != Allowed || !d.Exempt || d.Statement.Layer != LayerNone {
		t.Errorf("decision %+v, want allowed, exempt, no statement", d)
	}
	if d := Evaluate(Request{Action: "sts:GetCallerIdentityX"}, PolicySet{Identity: []*Policy{p}}); d.Exempt || d.Outcome != ExplicitDeny {
		t.Errorf("sts:GetCallerIdentityX: decision %+v, want an explicit deny", d)
	}
}
