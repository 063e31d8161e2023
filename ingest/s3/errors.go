package s3

import (
	"errors"
	"net/http"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// Errors that retrying does not fix. They come wrapped in an *Error that
// names the bucket and key; test with errors.Is.
var (
	ErrNoSuchBucket = errors.New("s3: no such bucket")
	ErrNoSuchKey    = errors.New("s3: no such key")
	// ErrAccessDenied covers refused requests: missing permissions, a
	// requester-pays bucket without Options.RequesterPays, bad or expired
	// credentials.
	ErrAccessDenied = errors.New("s3: access denied")
	// ErrChanged reports an object replaced since it was listed (or since
	// its first bytes were read): its ETag no longer matches (HTTP 412).
	ErrChanged = errors.New("s3: object changed since it was listed")
	// ErrWrongRegion reports a bucket in another region than the client's.
	ErrWrongRegion = errors.New("s3: bucket is in another region")
	// ErrArchived reports an object in an archive storage class (Glacier
	// Flexible Retrieval, Deep Archive) that must be restored first.
	ErrArchived = errors.New("s3: object is archived")
	// ErrCorrupt reports an object whose bytes do not match the checksum
	// S3 holds for it. The bytes were already returned: the object must
	// be read again from the start.
	ErrCorrupt = errors.New("s3: object does not match its checksum")
	// ErrGiveUp reports a body read that kept failing without progress
	// for Options.Retry.MaxAttempts resumes.
	ErrGiveUp = errors.New("s3: read kept failing")
)

// An Error is a failed S3 operation on a bucket and key (or prefix).
type Error struct {
	Op     string // "list", "get" or "read"
	Bucket string
	Key    string // object key, or the prefix of a listing
	// Kind is one of the package's sentinel errors, or nil when the
	// failure has no kind of its own (a network failure after retries).
	Kind error
	// Err is the underlying error, usually from the AWS SDK.
	Err error
	// Hint tells what to do about it, when known.
	Hint string
}

// Error formats as "s3: get s3://bucket/key: access denied: AccessDenied:
// Access Denied", followed by the hint if any.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("s3: ")
	b.WriteString(e.Op)
	b.WriteString(" s3://")
	b.WriteString(e.Bucket)
	b.WriteString("/")
	b.WriteString(e.Key)
	if e.Kind != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Kind.Error(), "s3: "))
	}
	if e.Err != nil {
		b.WriteString(": ")
		var apiErr smithy.APIError
		if errors.As(e.Err, &apiErr) {
			b.WriteString(apiErr.ErrorCode())
			if m := apiErr.ErrorMessage(); m != "" {
				b.WriteString(": ")
				b.WriteString(m)
			}
		} else {
			b.WriteString(e.Err.Error())
		}
	}
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns Kind and Err, so errors.Is sees both the sentinel and
// the SDK's error.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// opError wraps err from operation op on key, telling its kind from the
// S3 error code or, for bodiless answers (HEAD, some 301s), the status.
func (s *Source) opError(op, key string, err error) error {
	e := &Error{Op: op, Bucket: s.bucket, Key: key, Err: err}
	code := ""
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code = apiErr.ErrorCode()
	}
	status := 0
	var header http.Header
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) && respErr.Response != nil {
		status = respErr.HTTPStatusCode()
		header = respErr.Response.Header
	}
	switch {
	case code == "NoSuchBucket":
		e.Kind = ErrNoSuchBucket
	case code == "NoSuchKey" || (code == "" || code == "NotFound") && status == http.StatusNotFound:
		e.Kind = ErrNoSuchKey
	case code == "PreconditionFailed" || status == http.StatusPreconditionFailed:
		e.Kind = ErrChanged
		e.Hint = "list the objects again"
	case code == "InvalidObjectState":
		e.Kind = ErrArchived
		e.Hint = "restore it from its archive storage class first"
	case code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" || code == "IllegalLocationConstraintException" ||
		status == http.StatusMovedPermanently:
		e.Kind = ErrWrongRegion
		if r := header.Get("x-amz-bucket-region"); r != "" {
			e.Hint = "the bucket is in " + r + ": set the region to " + r
		} else {
			e.Hint = "set the region to the bucket's"
		}
	case code == "AccessDenied" || code == "AllAccessDisabled" || code == "InvalidAccessKeyId" ||
		code == "SignatureDoesNotMatch" || code == "ExpiredToken" || code == "InvalidToken" ||
		status == http.StatusForbidden:
		e.Kind = ErrAccessDenied
		if code == "AccessDenied" && s.payer == "" {
			e.Hint = "if the bucket is requester-pays, opt in to pay for the requests"
		}
	}
	return e
}
