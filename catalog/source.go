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

// operationName returns the API operation an event name stands for. Some
// services log the API version in the event name ("GetFunction20150331v2",
// "ListDistributions2020_05_31"): a trailing date, 8 digits or
// YYYY_MM_DD, optionally followed by v and a number, is dropped unless the
// whole name is an action. Other names are returned unchanged.
func (c *Catalog) operationName(prefix, eventName string) string {
	base, ok := cutVersionDate(eventName)
	if !ok {
		return eventName
	}
	if _, ok := c.actions[prefix+":"+strings.ToLower(eventName)]; ok {
		return eventName
	}
	return base
}

// cutVersionDate splits a trailing API version date off an event name.
func cutVersionDate(s string) (string, bool) {
	if i := strings.LastIndexByte(s, 'v'); i > 0 && i < len(s)-1 && allDigits(s[i+1:]) {
		s = s[:i]
	}
	n := len(s)
	switch {
	case n > 10 && s[n-3] == '_' && s[n-6] == '_' && allDigits(s[n-10:n-6]) && allDigits(s[n-5:n-3]) && allDigits(s[n-2:]):
		s = s[:n-10]
	case n > 8 && allDigits(s[n-8:]):
		s = s[:n-8]
	default:
		return "", false
	}
	if s == "" || isDigit(s[len(s)-1]) || s[len(s)-1] == '_' {
		return "", false
	}
	return s, true
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
