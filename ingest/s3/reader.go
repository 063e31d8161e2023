package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tailor-sec/tailor/ingest"
)

// Open opens obj for reading and returns its bytes as stored. It blocks
// while Options.MaxConcurrentGETs objects are open, until one is closed or
// ctx is done; the caller must Close the reader to free its place.
//
// The object is fetched with If-Match on obj.ETag when set (as List
// returns it), so an object replaced since it was listed fails with
// ErrChanged instead of mixing two versions. The reader is bound to ctx;
// it resumes broken reads itself (see the package documentation), and
// reports io.EOF only once it has returned every byte of the object. A
// reader is not safe for concurrent use.
func (s *Source) Open(ctx context.Context, obj ingest.Object) (io.ReadCloser, error) {
	select {
	case s.gets <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	r := &reader{src: s, ctx: ctx, key: obj.Key, etag: obj.ETag, size: -1}
	if err := r.open(); err != nil {
		<-s.gets
		return nil, err
	}
	return r, nil
}

// reader streams one object, resuming with a ranged GET after a broken
// read.
type reader struct {
	src  *Source
	ctx  context.Context
	key  string
	etag string // If-Match value; from the first response when not listed
	size int64  // from the first response; -1 until known
	off  int64  // bytes returned so far

	body     io.ReadCloser // nil between a failure and the resumed GET
	watchdog *time.Timer
	fails    int   // failed reads in a row without progress
	lastErr  error // why the body was dropped
	err      error // sticky: io.EOF or a final error
	closed   bool

	mu      sync.Mutex // guards cancel and stalled against the watchdog
	cancel  context.CancelFunc
	stalled bool
}

// open sends the GET for the bytes from r.off on.
func (r *reader) open() error {
	s := r.src
	ctx, cancel := context.WithCancel(r.ctx)
	res, err := r.get(ctx)
	if err != nil {
		cancel()
		if r.ctx.Err() != nil {
			return r.ctx.Err()
		}
		return s.opError("get", r.key, err)
	}
	if r.etag == "" {
		r.etag = res.etag
	}
	body := res.body
	if r.off == 0 {
		r.size = res.size
	} else if start, ok := rangeStart(res.contentRange); !ok || start != r.off {
		if res.contentRange != "" {
			body.Close()
			cancel()
			return &Error{Op: "get", Bucket: s.bucket, Key: r.key,
				Err: fmt.Errorf("asked for bytes from %d, got range %q", r.off, res.contentRange)}
		}
		// The server ignored Range and sent the whole object: skip what
		// was read already.
		if _, err := io.CopyN(io.Discard, body, r.off); err != nil {
			body.Close()
			cancel()
			return &Error{Op: "get", Bucket: s.bucket, Key: r.key, Err: fmt.Errorf("skip %d bytes already read: %w", r.off, err)}
		}
	}
	r.mu.Lock()
	r.body, r.cancel, r.stalled = body, cancel, false
	r.mu.Unlock()
	return nil
}

// get sends the GET: through the getter for a gzip file, else through
// the SDK, which checks the object against its checksum.
func (r *reader) get(ctx context.Context) (*getResult, error) {
	s := r.src
	if selfChecked(r.key) && s.getter != nil {
		return s.getter.get(ctx, r.key, r.etag, r.off)
	}
	in := &awss3.GetObjectInput{
		Bucket:       aws.String(s.bucket),
		Key:          aws.String(r.key),
		RequestPayer: s.payer,
	}
	if r.etag != "" {
		in.IfMatch = aws.String(r.etag)
	}
	if r.off > 0 {
		in.Range = aws.String("bytes=" + strconv.FormatInt(r.off, 10) + "-")
	}
	client := s.client
	if selfChecked(r.key) {
		client = s.gzClient
	}
	out, err := client.GetObject(ctx, in)
	if err != nil {
		return nil, err
	}
	res := &getResult{body: out.Body, etag: aws.ToString(out.ETag), size: -1, contentRange: aws.ToString(out.ContentRange)}
	if out.ContentLength != nil {
		res.size = *out.ContentLength
	}
	return res, nil
}

// rangeStart reads the first byte position of a Content-Range such as
// "bytes 100-999/1000".
func rangeStart(cr string) (int64, bool) {
	rest, ok := strings.CutPrefix(cr, "bytes ")
	if !ok {
		return 0, false
	}
	first, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(first, 10, 64)
	return v, err == nil
}

// Read reads from the object's body, resuming after a broken connection.
func (r *reader) Read(p []byte) (int, error) {
	for {
		if r.err != nil {
			return 0, r.err
		}
		if r.closed {
			return 0, fmt.Errorf("s3: read s3://%s/%s: reader closed", r.src.bucket, r.key)
		}
		if r.body == nil {
			if r.size >= 0 && r.off >= r.size {
				r.err = io.EOF
				continue
			}
			if err := r.resume(); err != nil {
				r.err = err
				return 0, err
			}
		}
		n, err := r.readBody(p)
		r.off += int64(n)
		if n > 0 {
			r.fails = 0
		}
		if err == nil {
			return n, nil
		}
		if errors.Is(err, io.EOF) {
			if r.size < 0 || r.off >= r.size {
				r.dropBody()
				r.err = io.EOF
				return n, io.EOF
			}
			err = io.ErrUnexpectedEOF // the body ended short of its length
		}
		if r.ctx.Err() != nil {
			r.dropBody()
			r.err = r.ctx.Err()
			return n, r.err
		}
		if r.size >= 0 && r.off >= r.size && err != io.ErrUnexpectedEOF {
			// Every byte arrived, then the SDK's check of the whole body
			// failed: nothing to resume.
			r.dropBody()
			r.err = &Error{Op: "read", Bucket: r.src.bucket, Key: r.key, Kind: ErrCorrupt, Err: err}
			return n, r.err
		}
		r.mu.Lock()
		if r.stalled {
			err = fmt.Errorf("no data for %v: %w", r.src.readTimeout, err)
		}
		r.mu.Unlock()
		r.lastErr = err
		r.dropBody()
		if n > 0 {
			return n, nil // resume on the next call
		}
	}
}

// readBody reads once from the body under the stall watchdog.
func (r *reader) readBody(p []byte) (int, error) {
	if r.src.readTimeout > 0 {
		if r.watchdog == nil {
			r.watchdog = time.AfterFunc(r.src.readTimeout, r.stall)
		} else {
			r.watchdog.Reset(r.src.readTimeout)
		}
		defer r.watchdog.Stop()
	}
	return r.body.Read(p)
}

// stall runs when a read waited too long: it cancels the request so the
// read fails and resumes.
func (r *reader) stall() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stalled = true
	if r.cancel != nil {
		r.cancel()
	}
}

// resume waits out the backoff and asks for the rest of the object.
func (r *reader) resume() error {
	r.fails++
	s := r.src
	if r.fails > s.attempts {
		return &Error{Op: "read", Bucket: s.bucket, Key: r.key, Kind: ErrGiveUp,
			Err: fmt.Errorf("at byte %d, %d failed reads in a row: %w", r.off, r.fails-1, r.lastErr)}
	}
	d := backoff(r.fails, s.baseDelay, s.maxDelay)
	s.log.Warn("s3: read broke, resuming", "object", "s3://"+s.bucket+"/"+r.key,
		"offset", r.off, "attempt", r.fails, "delay", d, "err", r.lastErr)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.ctx.Done():
		return r.ctx.Err()
	}
	return r.open()
}

func (r *reader) dropBody() {
	r.mu.Lock()
	body, cancel := r.body, r.cancel
	r.body, r.cancel = nil, nil
	r.mu.Unlock()
	if body != nil {
		body.Close()
	}
	if cancel != nil {
		cancel()
	}
}

// Close ends the read and frees the reader's place among the open
// objects. It is safe to call more than once.
func (r *reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.watchdog != nil {
		r.watchdog.Stop()
	}
	r.dropBody()
	<-r.src.gets
	return nil
}

// backoff returns the delay before retry number attempt (1-based):
// base doubled per attempt, capped at max, drawn between half and all of
// that.
func backoff(attempt int, base, max time.Duration) time.Duration {
	d := max
	if attempt < 31 {
		if b := base << (attempt - 1); b > 0 && b < max {
			d = b
		}
	}
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}
