package tailor

import "strings"

// IsAccountID reports whether s is a 12-digit AWS account id.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ARNAccount returns the account field of an ARN (its fifth, after
// "arn", the partition, the service and the region), or "" when arn is not
// an ARN. It does not allocate.
func ARNAccount(arn string) string {
	if !strings.HasPrefix(arn, "arn:") {
		return ""
	}
	rest := arn[len("arn:"):]
	for i := 0; i < 3; i++ {
		k := strings.IndexByte(rest, ':')
		if k < 0 {
			return ""
		}
		rest = rest[k+1:]
	}
	if k := strings.IndexByte(rest, ':'); k >= 0 {
		return rest[:k]
	}
	return ""
}
