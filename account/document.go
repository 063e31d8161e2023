package account

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// NormalizeDocument returns a policy document as compact JSON text. It
// accepts the forms IAM documents come in:
//
//   - a JSON object, as the AWS CLI prints them;
//   - a JSON string holding the document's text;
//   - a JSON string holding the URL-encoded text (RFC 3986), as the IAM API
//     returns them.
//
// Empty input, null and the empty string give nil and no error: the document
// is absent. Anything else, or text that is not a JSON object once decoded,
// is an error wrapping [ErrDocument].
func NormalizeDocument(raw []byte) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	switch raw[0] {
	case '{':
		return compactObject(raw)
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrDocument, err)
		}
		return documentText(s)
	}
	return nil, fmt.Errorf("%w: want a JSON object or a string, found %s", ErrDocument, describeJSON(raw))
}

// documentText normalizes a document held in a string: plain JSON text, or
// URL-encoded JSON text as the IAM API returns it.
func documentText(s string) (json.RawMessage, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if s[0] != '{' {
		dec, err := url.PathUnescape(s)
		if err != nil {
			return nil, fmt.Errorf("%w: neither JSON nor URL-encoded JSON: %v", ErrDocument, err)
		}
		s = strings.TrimSpace(dec)
		if s == "" || s[0] != '{' {
			return nil, fmt.Errorf("%w: text does not hold a JSON object", ErrDocument)
		}
	}
	return compactObject([]byte(s))
}

func compactObject(b []byte) (json.RawMessage, error) {
	var buf bytes.Buffer
	buf.Grow(len(b))
	if err := json.Compact(&buf, b); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDocument, err)
	}
	return json.RawMessage(buf.Bytes()), nil
}

// describeJSON names the kind of JSON value raw starts with, for messages.
func describeJSON(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case '{':
		return "an object"
	case '"':
		return "a string"
	}
	return "a number"
}
