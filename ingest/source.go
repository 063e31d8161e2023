package ingest

import (
	"context"
	"io"
	"time"
)

// An Object is one log file that a Source can open.
type Object struct {
	// Key names the object within its source: a path for files, the key
	// for S3. Messages about the object show Source.String() and Key.
	Key string
	// Size is the object's size in bytes as stored (compressed), or -1
	// when unknown (stdin).
	Size int64
	// ETag identifies the object's content where the source knows it
	// (S3); empty otherwise.
	ETag string
}

// A Source lists and opens CloudTrail log objects: a directory, a file,
// stdin or an S3 prefix.
//
// Implementations are safe for concurrent use: List runs once, Open runs
// concurrently from all workers.
type Source interface {
	// List calls fn for every object under the source that f may select,
	// pruning by the CloudTrail key layout where the key shows it (see
	// ParseLogKey). Digest files and objects that are not logs are skipped
	// without being opened; List reports them through Skipped. If fn
	// returns an error, List stops and returns it.
	List(ctx context.Context, f Filter, fn func(Object) error) error
	// Open opens the object for reading. The caller closes it. The reader
	// returns the object's bytes as stored: decompression is the caller's.
	Open(ctx context.Context, obj Object) (io.ReadCloser, error)
	// String describes the source for messages: a path or s3://bucket/prefix.
	String() string
}

// A Namer is a Source whose objects are named in messages otherwise than
// by their key, such as s3://bucket/key.
type Namer interface {
	Name(Object) string
}

// Filter selects records and, where the key layout shows it, objects. The
// zero Filter selects everything.
type Filter struct {
	Since, Until time.Time // [Since, Until); zero means unbounded
	Accounts     []string  // recipient account ids; empty means all
	Regions      []string  // empty means all
	// Principals are glob patterns (path.Match syntax, with * also
	// matching "/") on the principal ARN; empty means all.
	Principals []string
}
