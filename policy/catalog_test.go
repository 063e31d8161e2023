package policy

import (
	"slices"
	"strings"
	"testing"
)

func TestStatementActions(t *testing.T) {
	cat := smallCatalog()
	tests := []struct {
		name string
		st   Statement
		want []string
	}{
		{"literal canonical case", Statement{Action: []string{"S3:getobject"}}, []string{"s3:GetObject"}},
		{"prefix wildcard", Statement{Action: []string{"s3:Get*"}}, []string{"s3:GetBucketPolicy", "s3:GetObject", "s3:GetObjectAcl"}},
		{"infix wildcard", Statement{Action: []string{"iam:*Role*"}}, []string{"iam:AttachRolePolicy", "iam:PassRole", "iam:PutRolePolicy"}},
		{"question mark", Statement{Action: []string{"ec2:St??tInstances"}}, []string{"ec2:StartInstances"}},
		{"service wildcard", Statement{Action: []string{"*:Describe*", "k?s:Decrypt"}}, []string{"ec2:DescribeInstances", "kms:Decrypt"}},
		{"duplicates merged", Statement{Action: []string{"s3:GetObject", "s3:Get*", "s3:getobject"}}, []string{"s3:GetBucketPolicy", "s3:GetObject", "s3:GetObjectAcl"}},
		{"unknown literal kept", Statement{Action: []string{"s3:GetNewThing", "nosuch:Action"}}, []string{"nosuch:Action", "s3:GetNewThing"}},
		{"unknown wildcard covers nothing", Statement{Action: []string{"deeplens:*"}}, nil},
		{"not action", Statement{NotAction: []string{"s3:*", "iam:*", "ec2:*"}}, []string{"kms:Decrypt", "kms:Encrypt", "sts:AssumeRole"}},
		{"not action case", Statement{NotAction: []string{"S3:*", "IAM:*", "EC2:*", "KMS:*"}}, []string{"sts:AssumeRole"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := StatementActions(cat, &tt.st)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("star covers the catalog", func(t *testing.T) {
		got := StatementActions(cat, &Statement{Action: []string{"*"}})
		if len(got) != 20 || !slices.IsSorted(got) {
			t.Errorf("got %d actions (sorted %v), want the 20 of the catalog", len(got), slices.IsSorted(got))
		}
	})
}

func TestStatementActionsRealCatalog(t *testing.T) {
	cat := csvCatalog(t)
	all := StatementActions(cat, &Statement{Action: []string{"*"}})
	notS3 := StatementActions(cat, &Statement{NotAction: []string{"s3:*"}})
	s3 := StatementActions(cat, &Statement{Action: []string{"s3:*"}})
	if len(all) < 10000 {
		t.Fatalf("* expands to %d actions", len(all))
	}
	if len(notS3)+len(s3) != len(all) {
		t.Errorf("NotAction s3:* (%d) and s3:* (%d) do not partition * (%d)", len(notS3), len(s3), len(all))
	}
	for _, a := range notS3 {
		if strings.HasPrefix(strings.ToLower(a), "s3:") {
			t.Fatalf("NotAction s3:* kept %s", a)
		}
	}
}

func TestValidate(t *testing.T) {
	cat := smallCatalog()
	p := mustParse(t, []byte(`{"Statement":[
	  {"Sid":"A","Effect":"Allow","Action":["s3:GetObject","s3:GetObjekt","nosuch:Do","s3:Zap*","s3"],"Resource":"arn:aws:s3:::b/${aws:username}"},
	  {"Sid":"A","Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{
	     "NumericLessThan":{"s3:max-keys":"ten"},"DateLessThan":{"aws:CurrentTime":"yesterday"},
	     "IpAddress":{"aws:SourceIp":"10.0.0.0/33"},"Bool":{"aws:SecureTransport":"yes"},
	     "ArnLike":{"aws:SourceArn":"arn:aws:sns"},"StringEquals":{"aws:username":"${aws:username}"}}}
	]}`))
	var got []string
	for _, w := range p.Validate(cat) {
		got = append(got, w.String())
	}
	want := []string{
		`Version: no Version`,
		`statement 0 (Sid "A"): Action: unknown action "s3:GetObjekt"`,
		`statement 0 (Sid "A"): Action: "nosuch:Do": unknown service prefix "nosuch"`,
		`statement 0 (Sid "A"): Action: "s3:Zap*" matches no action`,
		`statement 0 (Sid "A"): Action: "s3" is not of the form service:action`,
		`statement 0 (Sid "A"): Resource: "arn:aws:s3:::b/${aws:username}": policy variables need Version`,
		`statement 1 (Sid "A"): Sid: Sid "A" also used by statement 0`,
		`Condition.ArnLike: aws:SourceArn "arn:aws:sns": not an ARN`,
		`Condition.Bool: aws:SecureTransport "yes": not true or false`,
		`Condition.DateLessThan: aws:CurrentTime "yesterday": not an ISO 8601 date`,
		`Condition.IpAddress: aws:SourceIp "10.0.0.0/33": not an IP address`,
		`Condition.NumericLessThan: s3:max-keys "ten": not a number`,
		`Condition.StringEquals: aws:username "${aws:username}": policy variables need Version`,
	}
	if len(got) != len(want) {
		t.Errorf("got %d warnings, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			if strings.Contains(g, w) {
				found = true
			}
		}
		if !found {
			t.Errorf("no warning containing %q in:\n%s", w, strings.Join(got, "\n"))
		}
	}
	clean := mustParse(t, []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:Get*","iam:PassRole"],"Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"10"}}}}`))
	if ws := clean.Validate(cat); len(ws) != 0 {
		t.Errorf("clean policy warned: %v", ws)
	}
}

func TestHandBuiltStatementWithoutActions(t *testing.T) {
	// Neither Action nor NotAction: nothing, not everything.
	st := Statement{Effect: Allow, Resource: []string{"*"}}
	if got := StatementActions(smallCatalog(), &st); len(got) != 0 {
		t.Errorf("StatementActions = %q", got)
	}
	p := &Policy{Version: Version2012, Statements: []Statement{st}}
	if d := Evaluate(Request{Action: "s3:GetObject", Resource: "*"}, PolicySet{Identity: []*Policy{p}}); d.Outcome != ImplicitDeny {
		t.Errorf("outcome %v", d.Outcome)
	}
}
