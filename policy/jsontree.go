package policy

import (
	"encoding/json"
	"errors"
	"fmt"
)

// jsonKind is the JSON type of a node.
type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

func (k jsonKind) String() string {
	switch k {
	case jsonNull:
		return "null"
	case jsonBool:
		return "boolean"
	case jsonNumber:
		return "number"
	case jsonString:
		return "string"
	case jsonArray:
		return "list"
	default:
		return "object"
	}
}

// node is one JSON value with the byte offset where it starts, so that
// semantic errors can point at the element concerned.
type node struct {
	kind   jsonKind
	off    int
	text   string  // string: the unescaped value; number and bool: the literal
	items  []node  // array elements
	fields []field // object members, in input order
}

type field struct {
	key string
	off int // offset of the key
	val node
}

// parseTree parses data, which must be one JSON value. Malformed input is
// reported as a *ParseError wrapping ErrSyntax with the position of the
// offending character.
func parseTree(data []byte) (node, error) {
	if !json.Valid(data) {
		return node{}, syntaxError(data)
	}
	p := treeParser{data: data}
	p.skip()
	return p.value()
}

// syntaxError locates the first syntax error in data, which json.Valid
// rejected, using the offset encoding/json reports.
func syntaxError(data []byte) error {
	var v any
	err := json.Unmarshal(data, &v)
	off := len(data)
	msg := "unexpected end of input"
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the bytes read, the offending one included; at the
		// end of the input it points past the last byte.
		off = int(se.Offset) - 1
		if se.Offset >= int64(len(data)) {
			off = len(data)
		}
		msg = se.Error()
	}
	if off < 0 {
		off = 0
	}
	line, col := position(data, off)
	return &ParseError{Line: line, Column: col, Statement: -1, Err: fmt.Errorf("%w: %s", ErrSyntax, msg)}
}

type treeParser struct {
	data []byte
	pos  int
}

func (p *treeParser) skip() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// value parses the value at p.pos. The input is known to be valid JSON.
func (p *treeParser) value() (node, error) {
	n := node{off: p.pos}
	switch c := p.data[p.pos]; {
	case c == '{':
		n.kind = jsonObject
		p.pos++
		p.skip()
		if p.data[p.pos] == '}' {
			p.pos++
			return n, nil
		}
		for {
			p.skip()
			koff := p.pos
			key, err := p.str()
			if err != nil {
				return n, err
			}
			p.skip()
			p.pos++ // ':'
			p.skip()
			v, err := p.value()
			if err != nil {
				return n, err
			}
			n.fields = append(n.fields, field{key: key, off: koff, val: v})
			p.skip()
			if p.data[p.pos] == ',' {
				p.pos++
				continue
			}
			p.pos++ // '}'
			return n, nil
		}
	case c == '[':
		n.kind = jsonArray
		p.pos++
		p.skip()
		if p.data[p.pos] == ']' {
			p.pos++
			return n, nil
		}
		for {
			p.skip()
			v, err := p.value()
			if err != nil {
				return n, err
			}
			n.items = append(n.items, v)
			p.skip()
			if p.data[p.pos] == ',' {
				p.pos++
				continue
			}
			p.pos++ // ']'
			return n, nil
		}
	case c == '"':
		n.kind = jsonString
		s, err := p.str()
		n.text = s
		return n, err
	case c == 't':
		n.kind, n.text = jsonBool, "true"
		p.pos += 4
	case c == 'f':
		n.kind, n.text = jsonBool, "false"
		p.pos += 5
	case c == 'n':
		n.kind = jsonNull
		p.pos += 4
	default:
		n.kind = jsonNumber
		start := p.pos
		for p.pos < len(p.data) {
			switch p.data[p.pos] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				n.text = string(p.data[start:p.pos])
				return n, nil
			}
			p.pos++
		}
		n.text = string(p.data[start:p.pos])
	}
	return n, nil
}

// str parses the string at p.pos.
func (p *treeParser) str() (string, error) {
	start := p.pos
	p.pos++
	escaped := false
	for {
		c := p.data[p.pos]
		if c == '\\' {
			escaped = true
			p.pos += 2
			continue
		}
		p.pos++
		if c == '"' {
			break
		}
	}
	raw := p.data[start:p.pos]
	if !escaped {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		line, col := position(p.data, start)
		return "", &ParseError{Line: line, Column: col, Statement: -1, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
	}
	return s, nil
}
