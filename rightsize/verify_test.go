package rightsize

import (
	"errors"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/usage"
)

func mustParse(t *testing.T, name, doc string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	p.Name = name
	return p
}

// TestVerifyRejects hands the verifier suggestions that break a guarantee:
// each must be refused with the counterexample.
func TestVerifyRejects(t *testing.T) {
	cat, err := catalog.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := New(cat, usage.Finish(usage.Meta{}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	current := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*",
		"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
		{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}`
	s := &Subject{ARN: "arn:aws:iam::111122223333:role/r", Name: "r", Kind: "role", Identity: []*policy.Policy{mustParse(t, "current", current)}}
	get, _ := rs.acts.lookup("s3:GetObject")
	desc, _ := rs.acts.lookup("ec2:DescribeInstances")
	o := &observed{used: map[int32]*actionUse{
		get:  {calls: 1, res: map[string]map[string]bool{"arn:aws:s3:::b/k": {"us-east-1": true}}, bare: map[string]bool{}},
		desc: {calls: 1, res: map[string]map[string]bool{}, bare: map[string]bool{"eu-west-1": true}},
	}}
	tests := []struct {
		name       string
		suggestion string
		check      Check
		want       string // in the counterexample
	}{
		{"grants a new action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`,
			CheckNoNewAccess, "s3:PutObject"},
		{"drops a condition", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`,
			CheckNoNewAccess, "s3:GetObject"},
		{"drops an observed call", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`,
			CheckObserved, "ec2:DescribeInstances on * in eu-west-1"},
		{"narrows an observed call's condition", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"10.9.0.0/16"}}},
			{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}`,
			CheckObserved, "aws:SourceIp=10.0.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rs.verify(s, []*policy.Policy{mustParse(t, "suggested", tt.suggestion)}, o)
			var ve *VerifyError
			if !errors.As(err, &ve) || !errors.Is(err, ErrVerify) {
				t.Fatalf("verify = %v, want a *VerifyError", err)
			}
			if ve.Check != tt.check || !strings.Contains(ve.Counterexample, tt.want) {
				t.Errorf("check %s, counterexample %q; want %s mentioning %q", ve.Check, ve.Counterexample, tt.check, tt.want)
			}
			if !strings.Contains(err.Error(), s.ARN) {
				t.Errorf("error %q does not name the principal", err)
			}
		})
	}
	// The current policies themselves pass, with contexts sampled for the
	// conditional GetObject.
	v, err := rs.verify(s, s.Identity, o)
	if err != nil {
		t.Fatal(err)
	}
	if !v.NoNewAccess || v.ObservedRequests != 2 || v.AllowedToday != 2 || v.ContextsSampled == 0 {
		t.Errorf("verification %+v", v)
	}
}

func TestGeneralize(t *testing.T) {
	tests := []struct {
		name   string
		arns   []string
		within []string
		want   []string
	}{
		{"few stay", []string{"arn:aws:s3:::b/a/1", "arn:aws:s3:::b/a/2"}, []string{"arn:aws:s3:::b/*"},
			[]string{"arn:aws:s3:::b/a/1", "arn:aws:s3:::b/a/2"}},
		{"many collapse at a slash", []string{"arn:aws:s3:::b/r/2026/x1", "arn:aws:s3:::b/r/2026/x2", "arn:aws:s3:::b/r/2026/y3"}, []string{"arn:aws:s3:::b/*"},
			[]string{"arn:aws:s3:::b/r/2026/*"}},
		{"per parent", []string{"arn:aws:s3:::b/k1", "arn:aws:s3:::b/k2", "arn:aws:s3:::b/k3", "arn:aws:s3:::c/k"}, []string{"*"},
			[]string{"arn:aws:s3:::b/*", "arn:aws:s3:::c/k"}},
		{"not past the statement", []string{"arn:aws:s3:::b/p/1", "arn:aws:s3:::b/q/2", "arn:aws:s3:::b/r/3"}, []string{"arn:aws:s3:::b/p/*", "arn:aws:s3:::b/q/*", "arn:aws:s3:::b/r/*"},
			[]string{"arn:aws:s3:::b/p/1", "arn:aws:s3:::b/q/2", "arn:aws:s3:::b/r/3"}},
		{"queues by last colon", []string{"arn:aws:sqs:us-east-1:1:q1", "arn:aws:sqs:us-east-1:1:q2", "arn:aws:sqs:us-east-1:1:q3"}, []string{"arn:aws:sqs:*:*:*"},
			[]string{"arn:aws:sqs:us-east-1:1:*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := generalize(tt.arns, tt.within, 2)
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("generalize = %v, want %v", got, tt.want)
			}
		})
	}
}
