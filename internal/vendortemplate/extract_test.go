package vendortemplate

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// want is a testdata/<case>.want.json file: the documents expected from
// testdata/<case>.<ext>, and what each note must mention.
type want struct {
	Documents []struct {
		Resource string
		Path     string
		Kind     Kind
		Policy   json.RawMessage
	}
	Notes []string
}

func TestExtract(t *testing.T) {
	for _, name := range []string{"cfn-short-tags.yaml", "cfn-long.json", "bare-trust.json", "terraform.tf"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			got, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var w want
			b, err := os.ReadFile(strings.TrimSuffix(path, filepath.Ext(path)) + ".want.json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &w); err != nil {
				t.Fatal(err)
			}
			if got.Name != path {
				t.Errorf("Name = %q, want %q", got.Name, path)
			}
			if len(got.Documents) != len(w.Documents) {
				for _, d := range got.Documents {
					t.Logf("got %s", d.String())
				}
				t.Fatalf("%d documents, want %d", len(got.Documents), len(w.Documents))
			}
			for i, wd := range w.Documents {
				d := got.Documents[i]
				if d.File != path || d.Resource != wd.Resource || d.Path != wd.Path || d.Kind != wd.Kind {
					t.Errorf("document %d: %q %q %q %q, want %q %q %q %q", i, d.File, d.Resource, d.Path, d.Kind, path, wd.Resource, wd.Path, wd.Kind)
				}
				gb, err := d.JSON()
				if err != nil {
					t.Fatal(err)
				}
				if !sameJSON(t, gb, wd.Policy) {
					t.Errorf("document %d (%s):\n got %s\nwant %s", i, d.Path, gb, compact(wd.Policy))
				}
			}
			if len(got.Notes) != len(w.Notes) {
				t.Fatalf("notes %q, want %d mentioning %q", got.Notes, len(w.Notes), w.Notes)
			}
			for i, n := range w.Notes {
				if !strings.Contains(got.Notes[i], n) {
					t.Errorf("note %d is %q, want it to mention %q", i, got.Notes[i], n)
				}
			}
		})
	}
}

// sameJSON reports whether two JSON texts hold the same value, numbers
// compared as written.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	decode := func(data []byte) any {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("decode %s: %v", data, err)
		}
		return v
	}
	return reflect.DeepEqual(decode(a), decode(b))
}

func compact(b []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return string(b)
	}
	return buf.String()
}

func TestExtractErrors(t *testing.T) {
	tests := []struct {
		file       string
		line, col  int   // 0: not checked
		sentinel   error // nil: a *ParseError of the decoder
		parseError bool
	}{
		// Terraform positions are those HashiCorp's parser gives its
		// diagnostic: the end of the line a string runs past, the brace
		// left open, the end of the file a heredoc runs to.
		{file: "unterminated-string.tf", line: 2, col: 15, sentinel: ErrSyntax, parseError: true},
		{file: "unclosed-block.tf", line: 1, col: 18, sentinel: ErrSyntax, parseError: true},
		{file: "unclosed-heredoc.tf", line: 5, col: 1, sentinel: ErrSyntax, parseError: true},
		{file: "missing-comma.tf", line: 2, col: 10, sentinel: ErrSyntax, parseError: true},
		{file: "syntax.json", line: 2, col: 17, parseError: true},
		{file: "indent.yaml", line: 2, parseError: true},
		{file: "notes.txt", sentinel: ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "bad", tt.file)
			f, err := ReadFile(path)
			if err == nil {
				t.Fatalf("no error; %d documents", len(f.Documents))
			}
			t.Log(err)
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("error %v is not %v", err, tt.sentinel)
			}
			var pe *ParseError
			if errors.As(err, &pe) != tt.parseError {
				t.Fatalf("error %v: is a *ParseError = %v, want %v", err, !tt.parseError, tt.parseError)
			}
			if !tt.parseError {
				return
			}
			if pe.File != path {
				t.Errorf("File = %q, want %q", pe.File, path)
			}
			if pe.Line != tt.line || (tt.col != 0 && pe.Column != tt.col) {
				t.Errorf("position %d:%d, want %d:%d", pe.Line, pe.Column, tt.line, tt.col)
			}
		})
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := ReadFile(filepath.Join(t.TempDir(), "absent.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v, want one wrapping os.ErrNotExist", err)
	}
}

func TestClassify(t *testing.T) {
	stmt := func(kv ...any) map[string]any {
		m := map[string]any{"Effect": "Allow"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name  string
		at    Kind
		stmts any
		want  Kind
	}{
		{"no principal", "", []any{stmt("Action", "s3:GetObject")}, KindIdentity},
		{"assume role", "", []any{stmt("Principal", "*", "Action", "sts:AssumeRole")}, KindTrust},
		{"assume role, any case, with tags", "", []any{stmt("Principal", "*", "Action", []any{"STS:AssumeRole", "sts:TagSession"})}, KindTrust},
		{"one statement as an object", "", stmt("NotPrincipal", map[string]any{"AWS": "x"}, "Action", "sts:AssumeRoleWithWebIdentity"), KindTrust},
		{"other actions", "", []any{stmt("Principal", "*", "Action", []any{"sts:AssumeRole", "s3:GetObject"})}, KindResource},
		{"principal, no action", "", []any{stmt("Principal", "*", "NotAction", "s3:*")}, KindResource},
		{"placeholder action", "", []any{stmt("Principal", "*", "Action", "${var.actions}")}, KindResource},
		{"the location says trust", KindTrust, []any{stmt("Principal", "*", "Action", "${var.actions}")}, KindTrust},
		{"identity statements beside a principal", "", []any{stmt("Action", "s3:*"), stmt("Principal", "*", "Action", "sts:AssumeRole")}, KindTrust},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.at, map[string]any{"Statement": tt.stmts}); got != tt.want {
				t.Errorf("classify = %q, want %q", got, tt.want)
			}
		})
	}
}
