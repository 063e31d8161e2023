package policy_test

import (
	"fmt"
	"slices"

	"github.com/tailor-sec/tailor/policy"
)

func ExampleEvaluate() {
	p, err := policy.Parse([]byte(`{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "Home", "Effect": "Allow", "Action": "s3:*",
	     "Resource": "arn:aws:s3:::bucket/home/${aws:username}/*"},
	    {"Sid": "TLSOnly", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
	     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
	  ]
	}`))
	if err != nil {
		panic(err)
	}
	p.Name = "home.json"
	set := policy.PolicySet{Identity: []*policy.Policy{p}}
	req := policy.Request{
		Action:   "s3:GetObject",
		Resource: "arn:aws:s3:::bucket/home/jane/notes.txt",
		Caller:   policy.Caller{Username: "jane"},
	}

	d := policy.Evaluate(req, set)
	fmt.Println(d.Outcome, d.Missing)

	req.Context = map[string][]string{"aws:SecureTransport": {"true"}}
	d = policy.Evaluate(req, set)
	fmt.Println(d.Outcome, d.Statement)

	req.Context["aws:SecureTransport"] = []string{"false"}
	d = policy.Evaluate(req, set)
	fmt.Println(d.Outcome, d.Statement)
	// Output:
	// unknown [aws:SecureTransport]
	// allowed identity policy "home.json" statement 0 (Sid "Home")
	// explicitly denied identity policy "home.json" statement 1 (Sid "TLSOnly")
}

func ExampleCovers() {
	parse := func(doc string) *policy.Policy {
		p, err := policy.Parse([]byte(doc))
		if err != nil {
			panic(err)
		}
		return p
	}
	current := policy.PolicySet{Identity: []*policy.Policy{parse(`{"Version": "2012-10-17",
	  "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/*"}}`)}}
	suggested := policy.PolicySet{Identity: []*policy.Policy{parse(`{"Version": "2012-10-17",
	  "Statement": {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::bucket/reports/*"}}`)}}
	widened := policy.PolicySet{Identity: []*policy.Policy{parse(`{"Version": "2012-10-17",
	  "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}}`)}}

	cat := exampleCatalog{"s3": {"s3:GetObject", "s3:ListBucket", "s3:PutObject"}}
	fmt.Println(policy.Covers(cat, current, suggested).Verdict)
	c := policy.Covers(cat, current, widened)
	fmt.Println(c.Verdict, c.Gaps[0].Action, c.Gaps[0].Resource)
	// Output:
	// covered
	// not covered s3:GetObject arn:aws:s3:::other/*
}

// exampleCatalog is a Catalog of a few actions.
type exampleCatalog map[string][]string

func (c exampleCatalog) Services() []string {
	var s []string
	for k := range c {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

func (c exampleCatalog) Actions(prefix string) []string { return c[prefix] }
