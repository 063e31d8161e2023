package faultproxy

import (
	"net/http"
	"strings"
)

// An Op is the S3 operation a request performs, as far as the proxy tells
// from a path-style request's method, path and query.
type Op string

// The operations the proxy tells apart.
const (
	OpListObjects  Op = "ListObjects" // ListObjectsV2 or ListObjects
	OpGetObject    Op = "GetObject"
	OpHeadObject   Op = "HeadObject"
	OpPutObject    Op = "PutObject"
	OpDeleteObject Op = "DeleteObject"
	OpCreateBucket Op = "CreateBucket"
	OpHeadBucket   Op = "HeadBucket"
	OpOther        Op = "Other"
)

// classify tells the operation, bucket and key of a path-style request.
func classify(r *http.Request) (op Op, bucket, key string) {
	p := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ = strings.Cut(p, "/")
	q := r.URL.Query()
	sub := false // a subresource such as ?acl, ?tagging or ?uploads
	for name := range q {
		switch name {
		case "list-type", "prefix", "delimiter", "continuation-token", "start-after",
			"max-keys", "marker", "encoding-type", "fetch-owner", "x-id",
			"partNumber", "versionId", "response-content-type":
		default:
			sub = true
		}
	}
	switch {
	case bucket == "" || sub:
		return OpOther, bucket, key
	case key == "":
		switch r.Method {
		case http.MethodGet:
			return OpListObjects, bucket, ""
		case http.MethodPut:
			return OpCreateBucket, bucket, ""
		case http.MethodHead:
			return OpHeadBucket, bucket, ""
		}
	default:
		switch r.Method {
		case http.MethodGet:
			return OpGetObject, bucket, key
		case http.MethodHead:
			return OpHeadObject, bucket, key
		case http.MethodPut:
			return OpPutObject, bucket, key
		case http.MethodDelete:
			return OpDeleteObject, bucket, key
		}
	}
	return OpOther, bucket, key
}
