package policy

import (
	"encoding/json"
	"os"
	"testing"
)

func benchSet(b *testing.B, fixture string) PolicySet {
	b.Helper()
	data, err := os.ReadFile("testdata/eval/" + fixture)
	if err != nil {
		b.Fatal(err)
	}
	var f evalFixture
	if err := json.Unmarshal(data, &f); err != nil {
		b.Fatal(err)
	}
	t := &testing.T{}
	set := f.loadSet(t)
	if t.Failed() {
		b.Fatal("fixture does not load")
	}
	return set
}

// BenchmarkEvaluate decides typical requests: an allow through a boundary
// and SCP levels, an explicit deny, a condition on a present key.
func BenchmarkEvaluate(b *testing.B) {
	cases := []struct {
		name    string
		fixture string
		req     Request
	}{
		{"allow-scp", "scp.json", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}},
		{"deny-boundary", "boundary.json", Request{Action: "ec2:TerminateInstances", Resource: "*"}},
		{"condition", "string-operators.json", Request{Action: "iam:CreateAccessKey", Resource: "arn:aws:iam::111122223333:user/bob",
			Context: map[string][]string{"aws:PrincipalTag/job-category": {"iamuser-admin"}}}},
		{"variable", "variables.json", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::amzn-s3-demo-bucket/home/jane/notes.txt",
			Context: map[string][]string{"aws:username": {"jane"}}}},
		{"notresource", "notaction-notresource.json", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::HRBucket/Other/x"}},
	}
	for _, c := range cases {
		set := benchSet(b, c.fixture)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Evaluate(c.req, set)
			}
		})
	}
}

// BenchmarkEvaluateManaged decides a request against a large real policy
// (ReadOnlyAccess: thousands of action patterns), the size the rightsizer
// meets.
func BenchmarkEvaluateManaged(b *testing.B) {
	var p *Policy
	for _, mp := range managedPolicies(b) {
		if mp.source == "mamip" && mp.name == "ReadOnlyAccess" {
			var err error
			if p, err = Parse(mp.doc); err != nil {
				b.Fatal(err)
			}
		}
	}
	if p == nil {
		b.Skip("ReadOnlyAccess not in the corpus")
	}
	set := PolicySet{Identity: []*Policy{p}}
	for _, action := range []string{"s3:GetObject", "zzz:NoSuchAction"} {
		b.Run(action, func(b *testing.B) {
			req := Request{Action: action, Resource: "arn:aws:s3:::bucket/key"}
			b.ReportAllocs()
			for b.Loop() {
				Evaluate(req, set)
			}
		})
	}
}
