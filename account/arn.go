package account

import "strings"

// arn is an Amazon Resource Name split into its parts:
// arn:partition:service:region:account:resource.
type arn struct {
	partition, service, region, account, resource string
}

// parseARN splits s into its parts. It reports false when s is not an ARN.
func parseARN(s string) (arn, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return arn{}, false
	}
	return arn{parts[1], parts[2], parts[3], parts[4], parts[5]}, true
}

// lastSegment returns the part of an IAM resource after its last slash:
// "role/path/Name" gives "Name".
func lastSegment(resource string) string {
	if i := strings.LastIndexByte(resource, '/'); i >= 0 {
		return resource[i+1:]
	}
	return resource
}
