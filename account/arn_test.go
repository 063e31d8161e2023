package account

import (
	"testing"

	"github.com/tailor-sec/tailor"
)

func TestParseARN(t *testing.T) {
	tests := []struct {
		in   string
		want arn
		ok   bool
	}{
		{"arn:aws:iam::123456789012:role/path/Name", arn{"aws", "iam", "", "123456789012", "role/path/Name"}, true},
		{"arn:aws-cn:iam::aws:policy/ReadOnlyAccess", arn{"aws-cn", "iam", "", "aws", "policy/ReadOnlyAccess"}, true},
		{"arn:aws:sts::123456789012:assumed-role/R/s:with:colons", arn{"aws", "sts", "", "123456789012", "assumed-role/R/s:with:colons"}, true},
		{"arn:aws:s3:::bucket", arn{"aws", "s3", "", "", "bucket"}, true},
		{"role/Name", arn{}, false},
		{"arn:aws:iam", arn{}, false},
		{"ARN:aws:iam::1:role/x", arn{}, false},
	}
	for _, tt := range tests {
		got, ok := parseARN(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseARN(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestIsAccountID(t *testing.T) {
	for s, want := range map[string]bool{"123456789012": true, "012345678901": true, "aws": false, "12345678901": false, "1234567890123": false, "12345678901a": false, "": false} {
		if got := tailor.IsAccountID(s); got != want {
			t.Errorf("tailor.IsAccountID(%q) = %v", s, got)
		}
	}
}

func TestIsAWSManagedARN(t *testing.T) {
	for s, want := range map[string]bool{
		"arn:aws:iam::aws:policy/ReadOnlyAccess":                                  true,
		"arn:aws-us-gov:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": true,
		"arn:aws:iam::123456789012:policy/aws":                                    false,
		"arn:aws:iam::aws:role/x":                                                 false,
		"ReadOnlyAccess":                                                          false,
	} {
		if got := isAWSManagedARN(s); got != want {
			t.Errorf("isAWSManagedARN(%q) = %v", s, got)
		}
	}
}
