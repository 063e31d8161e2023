package faultproxy

import (
	"net/http"
	"time"

	"github.com/tailor-sec/tailor"
)

// A Kind names what a Fault does.
type Kind int

// The kinds of fault. The zero Kind, None, forwards the request untouched.
const (
	None Kind = iota
	// Error answers with Fault.Status and an S3 XML error body carrying
	// Fault.Code and Fault.Message, without asking the upstream server.
	Error
	// Cut forwards the request, sends the response headers and the first
	// Fault.Bytes bytes of the body, then closes the connection: the
	// client sees a body shorter than its Content-Length.
	Cut
	// Stall forwards the request, sends the first Fault.Bytes bytes of
	// the body, waits Fault.Delay, then sends the rest.
	Stall
	// Delay waits Fault.Delay before forwarding the request.
	Delay
	// Corrupt forwards the request and flips the bits of the body's byte
	// at offset Fault.Bytes, keeping its length: what a checksum catches.
	Corrupt
)

func (k Kind) String() string {
	switch k {
	case None:
		return "none"
	case Error:
		return "error"
	case Cut:
		return "cut"
	case Stall:
		return "stall"
	case Delay:
		return "delay"
	case Corrupt:
		return "corrupt"
	}
	return "unknown"
}

// A Fault is what the proxy does to a request a Rule picks. Build one with
// SlowDown, InternalError, S3Error, CutAfter, StallAfter or DelayBy.
type Fault struct {
	Kind    Kind
	Status  int           // Error: HTTP status
	Code    string        // Error: S3 error code, as <Code> in the body
	Message string        // Error: <Message> in the body
	Header  http.Header   // Error: extra response headers
	Bytes   int64         // Cut, Stall, Corrupt: body bytes sent before the fault
	Delay   time.Duration // Stall, Delay: how long to wait
}

// SlowDown is S3's throttling answer: 503 with code SlowDown.
func SlowDown() Fault {
	return S3Error(http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
}

// InternalError is S3's answer to a failure on its side: 500 with code
// InternalError.
func InternalError() Fault {
	return S3Error(http.StatusInternalServerError, "InternalError",
		"We encountered an internal error. Please try again.")
}

// S3Error answers with any status and S3 error code, such as 403
// AccessDenied or 404 NoSuchBucket.
func S3Error(status int, code, message string) Fault {
	return Fault{Kind: Error, Status: status, Code: code, Message: message}
}

// CutAfter closes the connection after n bytes of the response body.
func CutAfter(n int64) Fault { return Fault{Kind: Cut, Bytes: n} }

// StallAfter pauses for d after n bytes of the response body.
func StallAfter(n int64, d time.Duration) Fault { return Fault{Kind: Stall, Bytes: n, Delay: d} }

// DelayBy holds the request for d before forwarding it.
func DelayBy(d time.Duration) Fault { return Fault{Kind: Delay, Delay: d} }

// CorruptAt flips the bits of the response body's byte at offset n.
func CorruptAt(n int64) Fault { return Fault{Kind: Corrupt, Bytes: n} }

// A Rule picks requests and the Fault to inject into them. All the set
// fields must match; the zero Rule matches every request. Among the
// requests a rule matches, Nth, Times and Probability choose those it
// applies to. The first rule that applies to a request wins.
type Rule struct {
	// Op is the S3 operation, "" for any.
	Op Op
	// Bucket is the bucket name, "" for any.
	Bucket string
	// Key is a pattern for the object key (see tailor.MatchGlob: * matches
	// any run of characters including "/", ? one); "" matches any key (and requests without
	// one). For a listing, the key is empty and the prefix is in the
	// query.
	Key string
	// Match, if set, must also report true.
	Match func(*http.Request) bool
	// Nth applies the rule to the nth matching request only (1-based);
	// 0 applies it to every matching request.
	Nth int
	// Times applies the rule at most this many times; 0 means no limit.
	Times int
	// Probability applies the rule to each matching request with this
	// chance, drawn from the proxy's seeded generator; 0 means always.
	Probability float64
	// Fault is what happens to the requests the rule applies to.
	Fault Fault
}

func (r *Rule) matches(req *http.Request, op Op, bucket, key string) bool {
	if r.Op != "" && r.Op != op {
		return false
	}
	if r.Bucket != "" && r.Bucket != bucket {
		return false
	}
	if r.Key != "" && !tailor.MatchGlob(r.Key, key) {
		return false
	}
	if r.Match != nil && !r.Match(req) {
		return false
	}
	return true
}
