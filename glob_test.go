package tailor

import "testing"

func TestMatchGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "arn:aws:iam::111122223333:role/a/b", true},
		{"*vendor*", "arn:aws:iam::111122223333:role/path/vendor-role", true},
		{"*vendor*", "arn:aws:iam::111122223333:role/Vendor", false},
		{"arn:aws:iam::*:role/ci-?", "arn:aws:iam::111122223333:role/ci-1", true},
		{"arn:aws:iam::*:role/ci-?", "arn:aws:iam::111122223333:role/ci-12", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYYcZ", false},
		{"a*b*c", "abbbc", true},
		{"", "", true},
		{"", "x", false},
		{"x", "", false},
		{"**", "abc", true},
	}
	for _, tt := range tests {
		if got := MatchGlob(tt.pattern, tt.s); got != tt.want {
			t.Errorf("MatchGlob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
	if !MatchAnyGlob(nil, "x") || MatchAnyGlob([]string{"a", "b"}, "c") || !MatchAnyGlob([]string{"a", "c*"}, "cd") {
		t.Error("MatchAnyGlob")
	}
}
