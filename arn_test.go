package tailor

import "testing"

func TestARNAccount(t *testing.T) {
	tests := map[string]string{
		"arn:aws:iam::111122223333:role/x":           "111122223333",
		"arn:aws-cn:s3:::bucket/key":                 "",
		"arn:aws:sqs:us-east-1:444455556666:q":       "444455556666",
		"arn:aws:iam::aws:policy/ReadOnlyAccess":     "aws",
		"arn:aws:sts::111122223333:assumed-role/r/s": "111122223333",
		"arn:aws:iam":  "",
		"111122223333": "",
		"":             "",
	}
	for in, want := range tests {
		if got := ARNAccount(in); got != want {
			t.Errorf("ARNAccount(%q) = %q, want %q", in, got, want)
		}
	}
	for s, want := range map[string]bool{"111122223333": true, "11112222333": false, "11112222333a": false, "": false} {
		if IsAccountID(s) != want {
			t.Errorf("IsAccountID(%q) != %v", s, want)
		}
	}
}
