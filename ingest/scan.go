package ingest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// window is the decoder's view of its input: a buffer that holds the
// current record whole, refilled from r as parsing advances.
//
// Offsets into buf stay valid for the length of one record: within a
// record the window only grows (copying to a larger buffer at the same
// offsets); it slides its data down only between records, in compact.
type window struct {
	r   io.Reader
	buf []byte // len(buf) is the capacity in use; data is buf[:n]
	n   int
	// base is the stream offset of buf[0]; lines counts the newlines in
	// the stream before buf[0], and lineStart is the offset where the
	// line holding buf[0] starts.
	base      int64
	lines     int
	lineStart int64
	err       error // sticky read error; io.EOF at the end
	limit     int   // largest record the window may hold
	// tooLarge is set when a record would not fit within limit.
	tooLarge bool
	mark     int // start of the current record
}

const (
	// pad is how many bytes past n are always addressable, so that word
	// loads near the end of the data stay inside buf.
	pad           = 8
	minWindowSize = 64 << 10
)

func (w *window) reset(r io.Reader, size int) {
	if cap(w.buf) < size+pad {
		w.buf = make([]byte, size+pad)
	}
	w.buf = w.buf[:cap(w.buf)]
	w.r, w.n, w.base, w.lines, w.lineStart, w.err, w.tooLarge, w.mark = r, 0, 0, 0, 0, nil, false, 0
}

// fill reads more input after buf[:n]. It reports false when no byte
// could be added: at the end of input, on a read error (kept in err), or
// when the record would exceed the limit (tooLarge is then set).
func (w *window) fill() bool {
	if w.err != nil || w.tooLarge {
		return false
	}
	if w.r == nil {
		w.err = io.EOF
		return false
	}
	if w.n+pad >= len(w.buf) && !w.grow() {
		return false
	}
	for tries := 0; tries < 100; tries++ {
		m, err := w.r.Read(w.buf[w.n : len(w.buf)-pad])
		w.n += m
		if err != nil {
			w.err = err
			return m > 0
		}
		if m > 0 {
			return true
		}
	}
	w.err = io.ErrNoProgress
	return false
}

func (w *window) grow() bool {
	size := 2 * (len(w.buf) - pad)
	if w.n-w.mark >= w.limit {
		w.tooLarge = true
		return false
	}
	if size > w.limit+w.mark+minWindowSize {
		size = w.limit + w.mark + minWindowSize
	}
	nb := make([]byte, size+pad)
	copy(nb, w.buf[:w.n])
	w.buf = nb
	return true
}

// slide moves buf[from:n] to the front of the buffer. It invalidates all
// offsets; callers rebase theirs by subtracting from.
func (w *window) slide(from int) {
	if from == 0 {
		return
	}
	// Count is vectorized; LastIndexByte is not: look for the last
	// newline only when there is one (compact JSON has none).
	if n := bytes.Count(w.buf[:from], newline); n > 0 {
		w.lines += n
		w.lineStart = w.base + int64(bytes.LastIndexByte(w.buf[:from], '\n')) + 1
	}
	w.base += int64(from)
	copy(w.buf, w.buf[from:w.n])
	w.n -= from
	w.mark -= from
	if w.mark < 0 {
		w.mark = 0
	}
}

var newline = []byte{'\n'}

// compact makes room before a new record starting at i, and returns i's
// new offset.
func (w *window) compact(i int) int {
	if i > (len(w.buf)-pad)/2 || i == w.n {
		w.slide(i)
		return 0
	}
	return i
}

// position returns the line and column of buffer offset i.
func (w *window) position(i int) (line, col int) {
	if i > w.n {
		i = w.n
	}
	b := w.buf[:i]
	line = w.lines + bytes.Count(b, newline) + 1
	if k := bytes.LastIndexByte(b, '\n'); k >= 0 {
		return line, i - k
	}
	return line, int(w.base+int64(i)-w.lineStart) + 1
}

// syntaxError builds the error for malformed input at buffer offset i.
func (w *window) syntaxError(i int, format string, args ...any) error {
	line, col := w.position(i)
	e := &SyntaxError{Offset: w.base + int64(i), Line: line, Column: col, Msg: fmt.Sprintf(format, args...), Err: ErrSyntax}
	return e
}

// eofError is the error for input that ended at buffer offset i in the
// middle of a value: io.ErrUnexpectedEOF, or the read error that ended it.
func (w *window) eofError(i int) error {
	i = min(i, w.n) // past a trailing backslash, say
	line, col := w.position(i)
	err := w.err
	msg := "unexpected end of input"
	switch {
	case w.tooLarge:
		return ErrRecordTooLarge
	case err == nil || err == io.EOF:
		err = io.ErrUnexpectedEOF
	default:
		msg = "read: " + err.Error()
	}
	return &SyntaxError{Offset: w.base + int64(i), Line: line, Column: col, Msg: msg, Err: err}
}

// discard skips the value that starts at i without keeping it in the
// window: it is how a record larger than the limit is passed over. It
// returns the offset just past the value.
func (w *window) discard(i int) (int, error) {
	w.tooLarge = false
	depth, inString, escape := 0, false, false
	for {
		buf := w.buf[:w.n]
		for ; i < len(buf); i++ {
			c := buf[i]
			if inString {
				switch {
				case escape:
					escape = false
				case c == '\\':
					escape = true
				case c == '"':
					inString = false
					if depth == 0 {
						return i + 1, nil
					}
				}
				continue
			}
			switch c {
			case '"':
				inString = true
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
		}
		w.mark = i
		w.slide(i)
		i = 0
		if !w.fill() {
			return i, w.eofError(i)
		}
	}
}

// skipLine returns the offset just past the next newline at or after i,
// or the end of input.
func (w *window) skipLine(i int) int {
	for {
		if k := bytes.IndexByte(w.buf[i:w.n], '\n'); k >= 0 {
			return i + k + 1
		}
		w.mark = w.n
		w.slide(w.n)
		i = 0
		if !w.fill() {
			return w.n
		}
	}
}

// ws skips white space from i and returns the offset of the next byte,
// reading more input as needed. ok is false at the end of input.
func (w *window) ws(i int) (int, bool) {
	for {
		for i < w.n {
			switch w.buf[i] {
			case ' ', '\n', '\r', '\t':
				i++
				continue
			}
			return i, true
		}
		if !w.fill() {
			return i, false
		}
	}
}

// Word-at-a-time helpers (SWAR): each byte of the result has its high bit
// set where the byte of x equals the target, exact for the lowest match.
const (
	lo7    = 0x0101010101010101
	hi7    = 0x8080808080808080
	quotes = '"' * lo7
	bslash = '\\' * lo7
)

func zeroBytes(x uint64) uint64 { return (x - lo7) &^ x & hi7 }

// stringEnd scans a string body from i (just after the opening quote) and
// returns the offset just past the closing quote, and whether the body
// holds escapes.
func (w *window) stringEnd(i int) (end int, escaped bool, err error) {
	for {
		buf := w.buf
		for i+16 <= w.n {
			// Two words a turn: strings are mostly 10 to 60 bytes.
			b := buf[i : i+16]
			x := binary.LittleEndian.Uint64(b)
			y := binary.LittleEndian.Uint64(b[8:])
			m := zeroBytes(x^quotes) | zeroBytes(x^bslash)
			n := zeroBytes(y^quotes) | zeroBytes(y^bslash)
			if m|n == 0 {
				i += 16
				continue
			}
			j := i + 8 + bits.TrailingZeros64(n)>>3
			if m != 0 {
				j = i + bits.TrailingZeros64(m)>>3
			}
			if buf[j] == '"' {
				return j + 1, escaped, nil
			}
			escaped = true
			i = j + 2
		}
		for i+8 <= w.n {
			x := binary.LittleEndian.Uint64(buf[i:])
			m := zeroBytes(x^quotes) | zeroBytes(x^bslash)
			if m == 0 {
				i += 8
				continue
			}
			j := i + bits.TrailingZeros64(m)>>3
			if buf[j] == '"' {
				return j + 1, escaped, nil
			}
			escaped = true
			i = j + 2
		}
		for i < w.n {
			c := buf[i]
			if c == '"' {
				return i + 1, escaped, nil
			}
			if c == '\\' {
				escaped = true
				i += 2
				continue
			}
			i++
		}
		if !w.fill() {
			return i, escaped, w.eofError(i)
		}
	}
}

// class of a byte for skipping nested values outside strings.
const (
	clOther = iota
	clOpen
	clClose
	clQuote
)

var byteClass = func() (t [256]uint8) {
	t['{'], t['['] = clOpen, clOpen
	t['}'], t[']'] = clClose, clClose
	t['"'] = clQuote
	return
}()

// skip skips the JSON value starting at i (after white space) and returns
// the offset just past it.
func (w *window) skip(i int) (int, error) {
	if i >= w.n || w.buf[i] <= ' ' {
		var ok bool
		if i, ok = w.ws(i); !ok {
			return i, w.eofError(i)
		}
	}
	switch c := w.buf[i]; c {
	case '"':
		end, _, err := w.stringEnd(i + 1)
		return end, err
	case '{', '[':
		return w.skipNested(i)
	default:
		return w.skipScalar(i)
	}
}

// skipScalar skips a number or one of the literals true, false, null.
func (w *window) skipScalar(i int) (int, error) {
	start := i
	for {
		for i < w.n {
			c := w.buf[i]
			if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-' || c == '+' || c == '.' || c == 'E' {
				i++
				continue
			}
			return i, w.checkScalar(start, i)
		}
		if !w.fill() {
			if i > start && w.err == io.EOF {
				return i, w.checkScalar(start, i)
			}
			return i, w.eofError(i)
		}
	}
}

// checkScalar checks that buf[start:end] is a literal or a number.
func (w *window) checkScalar(start, end int) error {
	s := w.buf[start:end]
	switch {
	case len(s) == 0:
		if start < w.n {
			return w.syntaxError(start, "unexpected %q", w.buf[start])
		}
		return w.syntaxError(start, "expected a value")
	case s[0] == 't' || s[0] == 'f' || s[0] == 'n':
		if v := string(s); v == "true" || v == "false" || v == "null" {
			return nil
		}
	case s[0] == '-' || s[0] >= '0' && s[0] <= '9':
		for _, c := range s {
			if c >= 'a' && c <= 'z' && c != 'e' {
				return w.syntaxError(start, "invalid number %q", s)
			}
		}
		return nil
	}
	return w.syntaxError(start, "invalid value %q", s)
}

// skipNested skips an object or array starting at i. It checks bracket
// balance and that a string is followed by a separator, which catches
// truncation and most corruption without a full grammar check.
func (w *window) skipNested(i int) (int, error) {
	var stack [64]byte
	depth := 0
	for {
		buf := w.buf
		for i < w.n {
			c := buf[i]
			switch byteClass[c] {
			case clOther:
				i++
			case clQuote:
				end, _, err := w.stringEnd(i + 1)
				if err != nil {
					return end, err
				}
				i = end
				if i >= w.n && !w.fill() {
					return i, w.eofError(i)
				}
				buf = w.buf
				switch buf[i] {
				case ':', ',', '}', ']', ' ', '\n', '\r', '\t':
				default:
					return i, w.syntaxError(i, "unexpected %q after string", buf[i])
				}
			case clOpen:
				if depth == len(stack) {
					return i, w.syntaxError(i, "nesting deeper than %d", len(stack))
				}
				stack[depth] = c + 2 // '{'+2 == '}', '['+2 == ']'
				depth++
				i++
			case clClose:
				if depth == 0 || stack[depth-1] != c {
					return i, w.syntaxError(i, "unexpected %q", c)
				}
				depth--
				i++
				if depth == 0 {
					return i, nil
				}
			}
		}
		if !w.fill() {
			return i, w.eofError(i)
		}
	}
}

// expect skips white space and the byte c.
func (w *window) expect(i int, c byte) (int, error) {
	i, ok := w.ws(i)
	if !ok {
		return i, w.eofError(i)
	}
	if w.buf[i] != c {
		return i, w.syntaxError(i, "expected %q, found %q", c, w.buf[i])
	}
	return i + 1, nil
}

// unescape appends the decoded form of the JSON string body s (without
// quotes) to dst.
func unescape(dst, s []byte) ([]byte, error) {
	for len(s) > 0 {
		k := bytes.IndexByte(s, '\\')
		if k < 0 {
			return append(dst, s...), nil
		}
		dst = append(dst, s[:k]...)
		s = s[k:]
		if len(s) < 2 {
			return dst, errors.New("bad escape")
		}
		switch c := s[1]; c {
		case '"', '\\', '/':
			dst = append(dst, c)
			s = s[2:]
		case 'b':
			dst, s = append(dst, '\b'), s[2:]
		case 'f':
			dst, s = append(dst, '\f'), s[2:]
		case 'n':
			dst, s = append(dst, '\n'), s[2:]
		case 'r':
			dst, s = append(dst, '\r'), s[2:]
		case 't':
			dst, s = append(dst, '\t'), s[2:]
		case 'u':
			r, ok := hex4(s[2:])
			if !ok {
				return dst, errors.New("bad \\u escape")
			}
			s = s[6:]
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(s[min(2, len(s)):]); ok && len(s) >= 6 && s[0] == '\\' && s[1] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						s = s[6:]
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return dst, fmt.Errorf("bad escape \\%c", c)
		}
	}
	return dst, nil
}

func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
