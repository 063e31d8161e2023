package ingest

import (
	"errors"
	"fmt"
)

// Errors a Decoder or a run reports. They come wrapped in a *FileError
// that says where.
var (
	// ErrSyntax marks input that is not well-formed JSON.
	ErrSyntax = errors.New("ingest: malformed JSON")
	// ErrNotCloudTrail marks well-formed JSON that holds no CloudTrail
	// records in any shape the decoder knows.
	ErrNotCloudTrail = errors.New("ingest: not CloudTrail JSON")
	// ErrEmpty marks an input with no bytes, or only whitespace.
	ErrEmpty = errors.New("ingest: empty input")
	// ErrRecordTooLarge marks a record longer than the decoder's limit.
	// The decoder skips it and goes on with the next record.
	ErrRecordTooLarge = errors.New("ingest: record too large")
	// ErrDigest marks a CloudTrail digest file: it holds no API calls and
	// is skipped, not counted as a failure.
	ErrDigest = errors.New("ingest: CloudTrail digest file")
)

// A FileError reports a problem with one input file (or object, or zip
// member) and where in it the problem was found. Records decoded before
// the problem are kept.
type FileError struct {
	Path string // file path, s3://bucket/key, or archive.zip:member
	// Offset is the byte offset in the decompressed stream where the
	// problem was found, or -1 when the problem is not at a place (the file
	// could not be opened).
	Offset int64
	// Line and Column locate Offset for text input (1-based), when known.
	Line, Column int
	Err          error
}

func (e *FileError) Error() string {
	switch {
	case e.Offset < 0:
		return fmt.Sprintf("%s: %v", e.Path, e.Err)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d:%d (byte %d): %v", e.Path, e.Line, e.Column, e.Offset, e.Err)
	default:
		return fmt.Sprintf("%s: at byte %d: %v", e.Path, e.Offset, e.Err)
	}
}

func (e *FileError) Unwrap() error { return e.Err }

// A SyntaxError describes malformed JSON at an offset of the decoded
// stream. It wraps ErrSyntax (or io.ErrUnexpectedEOF for a truncated stream).
type SyntaxError struct {
	Offset       int64 // byte offset in the stream
	Line, Column int   // 1-based
	Msg          string
	Err          error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

func (e *SyntaxError) Unwrap() error { return e.Err }
