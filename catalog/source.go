package catalog

import "strings"

// eventSourcePrefixes maps the host part of a CloudTrail eventSource to the
// IAM service prefix where the two differ. Hosts not listed use their first
// label ("s3.amazonaws.com" → "s3"). The table is never modified.
var eventSourcePrefixes = map[string]string{
	"monitoring":                 "cloudwatch",
	"email":                      "ses",
	"streams.dynamodb":           "dynamodb",
	"tagging":                    "tag",
	"cloudcontrolapi":            "cloudformation",
	"servicecatalog-appregistry": "servicecatalog",
}

// ServicePrefix returns the IAM service prefix of a CloudTrail event
// source: "s3.amazonaws.com" → "s3", "monitoring.amazonaws.com" →
// "cloudwatch", "email.amazonaws.com" → "ses". It does not check that the
// catalog knows the prefix.
func ServicePrefix(eventSource string) string {
	host := strings.ToLower(eventSource)
	for _, suffix := range []string{".amazonaws.com.cn", ".amazonaws.com", ".aws.internal"} {
		if h, ok := strings.CutSuffix(host, suffix); ok {
			host = h
			break
		}
	}
	if p, ok := eventSourcePrefixes[host]; ok {
		return p
	}
	if i := strings.IndexByte(host, '.'); i >= 0 {
		return host[:i]
	}
	return host
}

// operationName returns the API operation an event name stands for. Lambda
// logs versioned names ("GetFunction20150331v2", "Invoke20150331"); the
// version suffix is dropped. Other names are returned unchanged.
func operationName(prefix, eventName string) string {
	if prefix != "lambda" {
		return eventName
	}
	s := eventName
	// an optional "v<digits>" after the date
	if i := strings.LastIndexByte(s, 'v'); i > 0 && i < len(s)-1 && allDigits(s[i+1:]) {
		s = s[:i]
	}
	if len(s) > 8 && allDigits(s[len(s)-8:]) && !isDigit(s[len(s)-9]) {
		return s[:len(s)-8]
	}
	return eventName
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
