package trailgen

import (
	"encoding/json"
	"testing"
)

func TestAppendQuoted(t *testing.T) {
	tests := []struct {
		name string
		in   string
		java bool
		want string
	}{
		{"plain", "GetObject", false, `"GetObject"`},
		{"quote and backslash", `a "b" \c`, false, `"a \"b\" \\c"`},
		{"control", "a\nb\tc\x01", false, `"a\nb\tc\u0001"`},
		{"utf-8 kept", "résumé/x", false, `"résumé/x"`},
		{"java escapes non-ASCII and slash", "résumé/x", true, `"r\u00e9sum\u00e9\/x"`},
		{"java surrogate pair", "a😀", true, `"a\ud83d\ude00"`},
		{"empty", "", true, `""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(appendQuoted(nil, tt.in, tt.java))
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			var back string
			if err := json.Unmarshal([]byte(got), &back); err != nil || back != tt.in {
				t.Errorf("%s decodes to %q, %v; want %q", got, back, err, tt.in)
			}
		})
	}
}

func TestJSONWriter(t *testing.T) {
	w := &jsonw{state: stOpen}
	w.obj()
	w.kstr("a", "x")
	w.karr("b")
	w.int(1)
	w.obj()
	w.endObj()
	w.null()
	w.endArr()
	w.kobj("c")
	w.kbool("d", true)
	w.endObj()
	w.endObj()
	if got, want := string(w.b), `{"a":"x","b":[1,{},null],"c":{"d":true}}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
