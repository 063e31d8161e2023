package trailgen

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// jsonw appends compact JSON to a byte slice, the way CloudTrail writes its
// delivery files: no spaces, keys in the order written. It inserts commas
// itself; callers only say what comes next. It does no validation: a
// caller that opens an object closes it.
type jsonw struct {
	b []byte
	// state says what precedes the next value: 0 a value (comma needed),
	// 1 an opening bracket, 2 a key.
	state uint8
}

const (
	stValue = iota
	stOpen
	stKey
)

func (w *jsonw) reset() {
	w.b = w.b[:0]
	w.state = stOpen
}

func (w *jsonw) sep() {
	if w.state == stValue {
		w.b = append(w.b, ',')
	}
	w.state = stValue
}

func (w *jsonw) obj() {
	w.sep()
	w.b = append(w.b, '{')
	w.state = stOpen
}

func (w *jsonw) endObj() {
	w.b = append(w.b, '}')
	w.state = stValue
}

func (w *jsonw) arr() {
	w.sep()
	w.b = append(w.b, '[')
	w.state = stOpen
}

func (w *jsonw) endArr() {
	w.b = append(w.b, ']')
	w.state = stValue
}

func (w *jsonw) key(k string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...) // keys are plain ASCII identifiers
	w.b = append(w.b, '"', ':')
	w.state = stKey
}

func (w *jsonw) str(s string) {
	w.sep()
	w.b = appendQuoted(w.b, s, false)
}

// strJava writes s the way Java and PHP encoders do: non-ASCII as \uXXXX
// and '/' as \/. Some AWS services log request parameters that way.
func (w *jsonw) strJava(s string) {
	w.sep()
	w.b = appendQuoted(w.b, s, true)
}

func (w *jsonw) int(i int64) {
	w.sep()
	w.b = strconv.AppendInt(w.b, i, 10)
}

func (w *jsonw) bool(v bool) {
	w.sep()
	w.b = strconv.AppendBool(w.b, v)
}

func (w *jsonw) null() {
	w.sep()
	w.b = append(w.b, "null"...)
}

// raw writes an already encoded JSON value.
func (w *jsonw) raw(v []byte) {
	w.sep()
	w.b = append(w.b, v...)
}

func (w *jsonw) time(t time.Time) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = t.UTC().AppendFormat(w.b, timeLayout)
	w.b = append(w.b, '"')
}

func (w *jsonw) kstr(k, v string)       { w.key(k); w.str(v) }
func (w *jsonw) kint(k string, v int64) { w.key(k); w.int(v) }
func (w *jsonw) kbool(k string, v bool) { w.key(k); w.bool(v) }
func (w *jsonw) knull(k string)         { w.key(k); w.null() }
func (w *jsonw) kobj(k string)          { w.key(k); w.obj() }
func (w *jsonw) karr(k string)          { w.key(k); w.arr() }
func (w *jsonw) ktime(k string, t time.Time) {
	w.key(k)
	w.time(t)
}

// timeLayout is how CloudTrail writes eventTime and most other times.
const timeLayout = "2006-01-02T15:04:05Z"

const hexDigits = "0123456789abcdef"

// appendQuoted appends s as a JSON string. With java set, runes above
// ASCII become \uXXXX escapes (surrogate pairs beyond the BMP) and '/'
// becomes \/.
func appendQuoted(b []byte, s string, java bool) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf && !(java && c == '/') {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			if !java {
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			b = append(b, s[start:i]...)
			if r >= 0x10000 {
				r -= 0x10000
				b = appendU(b, 0xD800+(r>>10))
				b = appendU(b, 0xDC00+(r&0x3FF))
			} else {
				b = appendU(b, r)
			}
			i += size
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '/':
			b = append(b, '\\', '/')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = appendU(b, rune(c))
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendU(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
}
