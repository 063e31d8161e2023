package ingest

import (
	"errors"
	"fmt"
	"io"
	"time"
	"unsafe"

	"github.com/tailor-sec/tailor"
)

// DefaultMaxRecordBytes is the default limit on the size of one record.
// CloudTrail truncates request and response elements long before this.
const DefaultMaxRecordBytes = 8 << 20

// DecoderOptions configure a Decoder. The zero value is ready to use.
type DecoderOptions struct {
	// MaxRecordBytes bounds the size of one record, and so the decoder's
	// memory. A longer record is skipped with ErrRecordTooLarge. Zero
	// means DefaultMaxRecordBytes.
	MaxRecordBytes int
	// RequestParams names the top-level requestParameters keys whose
	// presence is recorded in Event.RequestParams ("tags",
	// "sourceIdentity", "x-amz-acl": see catalog.ConditionalParams). Nil
	// records none.
	RequestParams []string
}

// A Decoder reads CloudTrail records from a stream of JSON in any of the
// shapes CloudTrail and its tools write:
//
//	{"Records":[{...},{...}]}             a CloudTrail delivery file
//	[{...},{...}]                         a JSON array of records
//	{...}\n{...}\n                        JSON lines (or concatenated objects)
//	{"Events":[{"CloudTrailEvent":"{...}"}]}  aws cloudtrail lookup-events
//	{"CloudTrailEvent":"{...}"}\n          lookup-events records, one per line
//
// Records carry extra fields freely; the decoder reads the ones an Event
// holds and skips the rest without decoding them. A CloudTrail digest file
// is recognised: Next returns ErrDigest.
//
// The decoder streams: it holds one record (and a window of read-ahead) in
// memory, never the whole input.
type Decoder struct {
	w     window
	inner window // a lookup-events record, unescaped from its string
	opts  DecoderOptions
	state decodeState
	pos   int // offset in w.buf where decoding resumes
	first bool
	// container is set while inside the Records/Events array of a
	// top-level object, whose remaining keys follow the array.
	container  bool
	values     int   // top-level values seen
	err        error // sticky
	arena      []byte
	keyBuf     []byte // an escaped key, unescaped
	lowerKeys  bool   // the input's keys are lowercased
	paramKeys  map[string]paramKey
	assumption tailor.Assumption
	// account is the recipient account of records that name none: the
	// account the stream's delivery path shows (SetAccount).
	account string
}

type decodeState uint8

const (
	stTop decodeState = iota
	stArray
	stContainerRest
)

// NewDecoder returns a decoder reading from r. opts may be nil.
func NewDecoder(r io.Reader, opts *DecoderOptions) *Decoder {
	d := new(Decoder)
	if opts != nil {
		d.opts = *opts
	}
	if d.opts.MaxRecordBytes <= 0 {
		d.opts.MaxRecordBytes = DefaultMaxRecordBytes
	}
	d.paramKeys = paramKeys(d.opts.RequestParams)
	d.Reset(r)
	return d
}

// Reset makes the decoder read from r, as if new, keeping its buffers.
// It forgets the account SetAccount set.
func (d *Decoder) Reset(r io.Reader) {
	d.w.reset(r, minWindowSize)
	d.w.limit = d.opts.MaxRecordBytes
	d.state, d.pos, d.first, d.container, d.values, d.err = stTop, 0, false, false, 0, nil
	d.lowerKeys, d.account = false, ""
}

// SetAccount sets the account of the records of the current stream that
// name no recipient account (recipientAccountId, which older records and
// hand-made ones lack) and no userIdentity.accountId either: the account
// the log file's delivery path shows (see ParseLogKey). Without it such
// records have no account, and no ARN is built from request parameters
// for them. Reset forgets it.
func (d *Decoder) SetAccount(id string) { d.account = id }

// InputOffset returns the offset in the input stream just past the last
// record returned.
func (d *Decoder) InputOffset() int64 { return d.w.base + int64(d.pos) }

// A RecordError reports a record the decoder skipped: one too large, or
// a malformed line of JSON lines input. Unlike other errors it is not
// sticky: Next may be called again and goes on with the next record.
type RecordError struct {
	Offset       int64
	Line, Column int
	Err          error
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("line %d, column %d: record skipped: %v", e.Line, e.Column, e.Err)
}

func (e *RecordError) Unwrap() error { return e.Err }

// Next decodes the next record into ev, replacing its contents. It
// returns io.EOF after the last record, ErrDigest for a digest file, and
// ErrEmpty for input with no JSON value. A *RecordError means a record was
// skipped and decoding can go on; any other error is sticky.
//
// The strings in ev alias the decoder's buffers: they are valid until the
// next call to Next or Reset. Use Event.Clone to keep an event longer.
func (d *Decoder) Next(ev *tailor.Event) error {
	if d.err != nil {
		return d.err
	}
	err := d.next(ev)
	if err != nil {
		var re *RecordError
		if !errors.As(err, &re) {
			d.err = err
		}
	}
	return err
}

func (d *Decoder) next(ev *tailor.Event) error {
	w := &d.w
	for {
		i := w.compact(d.pos)
		i, ok := w.ws(i)
		d.pos = i
		if !ok {
			if w.err != nil && w.err != io.EOF {
				return w.eofError(i)
			}
			if d.state != stTop {
				return w.eofError(i)
			}
			if d.values == 0 {
				return ErrEmpty
			}
			return io.EOF
		}
		c := w.buf[i]
		switch d.state {
		case stTop:
			switch c {
			case '[':
				d.values++
				d.state, d.first, d.container, d.pos = stArray, true, false, i+1
				continue
			case '{':
				d.values++
				kind, end, err := d.object(i, ev, true)
				if err != nil {
					var se *SyntaxError
					if errors.As(err, &se) && se.Err == ErrSyntax {
						// A broken line of JSON lines input: go on at
						// the next line.
						d.pos = w.skipLine(i)
						return &RecordError{Offset: se.Offset, Line: se.Line, Column: se.Column, Err: fmt.Errorf("%w: %s", ErrSyntax, se.Msg)}
					}
					return d.recordError(i, err)
				}
				switch kind {
				case kindRecord:
					d.pos = end
					return nil
				case kindContainer:
					d.state, d.first, d.container, d.pos = stArray, true, true, end
					continue
				case kindDigest:
					return ErrDigest
				default:
					return w.syntaxErrorAt(i, ErrNotCloudTrail, "object with no CloudTrail fields")
				}
			case 0x1f:
				return w.syntaxErrorAt(i, ErrNotCloudTrail, "gzip-compressed data where JSON was expected")
			default:
				return w.syntaxError(i, "expected '{' or '[' at the start of a value, found %q", c)
			}
		case stArray:
			if c == ']' {
				d.pos = i + 1
				d.state = stTop
				if d.container {
					d.state = stContainerRest
				}
				continue
			}
			if !d.first {
				if c != ',' {
					return w.syntaxError(i, "expected ',' or ']' after array element, found %q", c)
				}
				if i, ok = w.ws(i + 1); !ok {
					return w.eofError(i)
				}
				d.pos = i
				c = w.buf[i]
			}
			d.first = false
			if c != '{' {
				return w.syntaxError(i, "expected a record object, found %q", c)
			}
			kind, end, err := d.object(i, ev, false)
			if err != nil {
				return d.recordError(i, err)
			}
			d.pos = end
			switch kind {
			case kindRecord:
				return nil
			case kindDigest:
				return ErrDigest
			default:
				line, col := w.position(i)
				return &RecordError{Offset: w.base + int64(i), Line: line, Column: col, Err: ErrNotCloudTrail}
			}
		case stContainerRest:
			switch c {
			case '}':
				d.pos, d.state = i+1, stTop
				continue
			case ',':
				i, err := w.expect(i+1, '"')
				if err != nil {
					return err
				}
				if i, _, err = w.stringEnd(i); err != nil {
					return err
				}
				if i, err = w.expect(i, ':'); err != nil {
					return err
				}
				if i, err = w.skip(i); err != nil {
					return err
				}
				d.pos = i
				continue
			default:
				return w.syntaxError(i, "expected ',' or '}' after the records array, found %q", c)
			}
		}
	}
}

// recordError turns a failure to decode the record starting at i into the
// error Next returns. A record too large is skipped and decoding goes on.
func (d *Decoder) recordError(i int, err error) error {
	w := &d.w
	if errors.Is(err, ErrRecordTooLarge) {
		line, col := w.position(i)
		off := w.base + int64(i)
		end, derr := w.discard(i)
		if derr != nil {
			return derr
		}
		d.pos = end
		return &RecordError{Offset: off, Line: line, Column: col, Err: fmt.Errorf("%w: more than %d bytes", ErrRecordTooLarge, w.limit)}
	}
	return err
}

func (w *window) syntaxErrorAt(i int, sentinel error, msg string) error {
	line, col := w.position(i)
	return &SyntaxError{Offset: w.base + int64(i), Line: line, Column: col, Msg: msg, Err: sentinel}
}

type objectKind uint8

const (
	kindUnknown objectKind = iota
	kindRecord
	kindContainer
	kindDigest
)

// object decodes the object at i. At the top level an object may be a
// container whose "Records" (or "Events") array holds the records: object
// then returns kindContainer and the offset just inside the array.
func (d *Decoder) object(i int, ev *tailor.Event, top bool) (objectKind, int, error) {
	w := &d.w
	w.mark = i
	p := parser{w: w, ev: ev, d: d}
	p.begin()
	end, err := p.fields(i, top)
	if err == errStop {
		err = nil
	}
	if err != nil {
		return kindUnknown, end, err
	}
	switch {
	case p.container:
		return kindContainer, end, nil
	case p.inner:
		return kindRecord, end, nil
	case p.record:
		p.finish()
		return kindRecord, end, nil
	case p.digest:
		return kindDigest, end, nil
	}
	return kindUnknown, end, nil
}

// str returns b as a string without copying. The string is valid while
// b's memory is not overwritten: until the window slides or the arena is
// reset, at the next record.
func str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// parseTime reads eventTime: "2006-01-02T15:04:05Z" on the fast path,
// any RFC 3339 time otherwise.
func parseTime(b string) (time.Time, bool) {
	if len(b) == 20 && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' && b[16] == ':' && b[19] == 'Z' {
		n := func(s string) (int, bool) {
			v := 0
			for _, c := range []byte(s) {
				if c < '0' || c > '9' {
					return 0, false
				}
				v = v*10 + int(c-'0')
			}
			return v, true
		}
		y, ok1 := n(b[0:4])
		mo, ok2 := n(b[5:7])
		dd, ok3 := n(b[8:10])
		h, ok4 := n(b[11:13])
		mi, ok5 := n(b[14:16])
		s, ok6 := n(b[17:19])
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && mo >= 1 && mo <= 12 && dd >= 1 && dd <= 31 && h < 24 && mi < 60 && s < 61 {
			return time.Date(y, time.Month(mo), dd, h, mi, s, 0, time.UTC), true
		}
	}
	t, err := time.Parse(time.RFC3339Nano, b)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}
