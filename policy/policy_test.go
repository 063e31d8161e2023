package policy

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func readFixture(t testing.TB, elem ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(append([]string{"testdata"}, elem...)...))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustParse(t testing.TB, data []byte) *Policy {
	t.Helper()
	p, err := Parse(data)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return p
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, p *Policy)
	}{
		{"all-elements.json", func(t *testing.T, p *Policy) {
			if p.Version != Version2012 || p.ID != "all-elements" || len(p.Statements) != 2 {
				t.Fatalf("got Version %q Id %q, %d statements", p.Version, p.ID, len(p.Statements))
			}
			s := p.Statements[0]
			if s.Sid != "Everything" || s.Effect != Allow {
				t.Errorf("Sid %q Effect %q", s.Sid, s.Effect)
			}
			want := &Principal{
				AWS:           []string{"arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:role/vendor"},
				Service:       []string{"ec2.amazonaws.com"},
				Federated:     []string{"cognito-identity.amazonaws.com"},
				CanonicalUser: []string{"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
			}
			if !s.Principal.Equal(want) {
				t.Errorf("Principal = %+v", s.Principal)
			}
			if !slices.Equal(s.Action, []string{"s3:GetObject", "s3:List*"}) || s.NotAction != nil {
				t.Errorf("Action = %q NotAction = %q", s.Action, s.NotAction)
			}
			// 31 operators, StringEquals with two keys: 32 clauses.
			if len(s.Condition) != 32 {
				t.Errorf("%d condition clauses, want 32", len(s.Condition))
			}
			byOp := map[string]Clause{}
			for _, c := range s.Condition {
				byOp[c.Operator+" "+c.Key] = c
			}
			for k, want := range map[string][]string{
				"NumericEquals s3:max-keys":                          {"10"},
				"NumericLessThanEquals s3:max-keys":                  {"100.5"},
				"Bool aws:SecureTransport":                           {"true"},
				"DateLessThanEquals aws:EpochTime":                   {"1893456000"},
				"StringEquals aws:PrincipalTag/team":                 {"red", "blue"},
				"ForAnyValue:NumericLessThanIfExists example:counts": {"5"},
			} {
				if got := byOp[k].Values; !slices.Equal(got, want) {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if !slices.IsSortedFunc(s.Condition, func(a, b Clause) int {
				return strings.Compare(a.Operator+"\x00"+a.Key, b.Operator+"\x00"+b.Key)
			}) {
				t.Errorf("clauses not sorted by operator and key")
			}
			n := p.Statements[1]
			if n.Effect != Deny || !slices.Equal(n.NotAction, []string{"iam:*"}) || len(n.NotResource) != 2 ||
				n.NotPrincipal == nil || n.NotPrincipal.AWS[0] != "arn:aws:iam::111122223333:user/admin" {
				t.Errorf("second statement = %+v", n)
			}
		}},
		{"statement-object.json", func(t *testing.T, p *Policy) {
			if len(p.Statements) != 1 || p.Statements[0].Effect != Deny ||
				!slices.Equal(p.Statements[0].Resource, []string{"*"}) {
				t.Errorf("got %+v", p.Statements)
			}
		}},
		{"trust-policy.json", func(t *testing.T, p *Policy) {
			s := p.Statements[0]
			if s.Resource != nil || s.NotResource != nil || s.Principal == nil || s.Principal.AWS[0] != "arn:aws:iam::464622532012:root" {
				t.Errorf("got %+v", s)
			}
			if len(s.Condition) != 1 || s.Condition[0].Key != "sts:ExternalId" {
				t.Errorf("Condition = %+v", s.Condition)
			}
		}},
		{"principal-star.json", func(t *testing.T, p *Policy) {
			if pr := p.Statements[0].Principal; pr == nil || !pr.All || pr.AWS != nil {
				t.Errorf("Principal = %+v", pr)
			}
		}},
		{"variables.json", func(t *testing.T, p *Policy) {
			if got := p.Statements[0].Resource[1]; got != "arn:aws:s3:::bucket/teams/${aws:PrincipalTag/team, 'company-wide'}/*" {
				t.Errorf("Resource[1] = %q", got)
			}
		}},
		{"no-version.json", func(t *testing.T, p *Policy) {
			if p.Version != "" {
				t.Errorf("Version = %q", p.Version)
			}
		}},
		{"escapes.json", func(t *testing.T, p *Policy) {
			if p.ID != "café \"quoted\" back\\slash" {
				t.Errorf("Id = %q", p.ID)
			}
			s := p.Statements[0]
			if s.Sid != "S/1" || s.Action[0] != "s3:Get*" || s.Resource[0] != "arn:aws:s3:::bücket/\ttab" {
				t.Errorf("got %+v", s)
			}
		}},
		{"bom.json", func(t *testing.T, p *Policy) {
			if p.Statements[0].Action[0] != "ec2:Describe*" {
				t.Errorf("got %+v", p.Statements[0])
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p := mustParse(t, readFixture(t, "parse", "valid", tt.file))
			tt.check(t, p)
			roundTrip(t, p)
		})
	}
}

// roundTrip checks that marshalling p and parsing the result gives an
// equal policy, and that marshalling is idempotent.
func roundTrip(t *testing.T, p *Policy) {
	t.Helper()
	out, err := p.MarshalJSON()
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	q, err := Parse(out)
	if err != nil {
		t.Fatalf("reparse %s: %v", out, err)
	}
	if !p.Equal(q) {
		t.Fatalf("round trip changed the policy:\n%s", out)
	}
	again, err := q.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(out) {
		t.Fatalf("marshal not idempotent:\n%s\n%s", out, again)
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		file      string
		err       error
		line, col int
		stmt      int
		sid       string
	}{
		{"trailing-comma.json", ErrSyntax, 4, 59, -1, ""},
		{"truncated.json", ErrSyntax, 4, 23, -1, ""},
		{"empty.json", ErrSyntax, 1, 1, -1, ""},
		{"missing-effect.json", ErrMissing, 5, 5, 1, "NoEffect"},
		{"bad-effect.json", ErrValue, 3, 27, 0, ""},
		{"action-and-notaction.json", ErrConflict, 7, 7, 0, "Both"},
		{"resource-and-notresource.json", ErrConflict, 1, 70, 0, ""},
		{"action-number.json", ErrType, 2, 47, 0, ""},
		{"unknown-element.json", ErrElement, 2, 37, 0, ""},
		{"unknown-operator.json", ErrValue, 4, 19, 0, ""},
		{"bad-version.json", ErrValue, 1, 13, -1, ""},
		{"missing-statement.json", ErrMissing, 1, 1, -1, ""},
		{"empty-action-list.json", ErrValue, 1, 46, 0, ""},
		{"principal-string.json", ErrValue, 1, 49, 0, ""},
		{"principal-unknown-type.json", ErrElement, 1, 50, 0, ""},
		{"duplicate-element.json", ErrDuplicate, 1, 54, 0, ""},
		{"duplicate-condition-key.json", ErrDuplicate, 1, 123, 0, ""},
		{"not-object.json", ErrType, 1, 1, -1, ""},
		{"condition-null-value.json", ErrType, 1, 116, 0, ""},
		{"null-ifexists.json", ErrValue, 1, 85, 0, ""},
		{"no-action.json", ErrMissing, 1, 16, 0, "OnlyResource"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := Parse(readFixture(t, "parse", "invalid", tt.file))
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err %T is not a *ParseError", err)
			}
			if pe.Line != tt.line || pe.Column != tt.col || pe.Statement != tt.stmt || pe.Sid != tt.sid {
				t.Errorf("at line %d column %d statement %d Sid %q, want %d %d %d %q (%v)",
					pe.Line, pe.Column, pe.Statement, pe.Sid, tt.line, tt.col, tt.stmt, tt.sid, err)
			}
			if tt.sid != "" && !strings.Contains(err.Error(), tt.sid) {
				t.Errorf("message %q does not name Sid %q", err, tt.sid)
			}
		})
	}
}

func TestParseEncoded(t *testing.T) {
	want := mustParse(t, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::111122223333:user/a+b"}]}`))
	enc := strings.TrimSpace(string(readFixture(t, "parse", "valid", "url-encoded.txt")))
	quoted, _ := json.Marshal(enc)
	plainQuoted, _ := json.Marshal(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::111122223333:user/a+b"}]}`)
	for name, in := range map[string]string{
		"encoded":        enc,
		"encoded string": string(quoted),
		"plain string":   string(plainQuoted),
		"object":         `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::111122223333:user/a+b"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			p, err := ParseEncoded([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if !p.Equal(want) {
				t.Errorf("got %+v", p.Statements)
			}
		})
	}
	t.Run("bad escape", func(t *testing.T) {
		if _, err := ParseEncoded([]byte("%7B%ZZ")); !errors.Is(err, ErrSyntax) {
			t.Errorf("err = %v, want ErrSyntax", err)
		}
	})
}

func TestUnmarshalJSONInStruct(t *testing.T) {
	// The shape of get-account-authorization-details: the document is an
	// object in the CLI's output and an encoded string in the raw API.
	in := `[{"Name":"a","Document":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}},
	        {"Name":"b","Document":"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22%2A%22%7D%7D"}]`
	var docs []struct {
		Name     string
		Document *Policy
	}
	if err := json.Unmarshal([]byte(in), &docs); err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || !docs[0].Document.Equal(docs[1].Document) || docs[0].Document.Statements[0].Action[0] != "s3:GetObject" {
		t.Fatalf("got %+v", docs)
	}
	out, err := json.Marshal(docs[1].Document)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`; string(out) != want {
		t.Errorf("marshal = %s\nwant      %s", out, want)
	}
}

func TestMarshalCanonical(t *testing.T) {
	// Keys in any order, single strings and lists mixed: the canonical form
	// fixes the order and writes one-element lists as strings.
	in := `{"Statement":[{"Condition":{"StringEquals":{"b":["2"],"a":"1"},"Bool":{"k":true}},"Resource":["*"],"Action":["s3:GetObject","s3:PutObject"],"Effect":"Allow","Sid":"x"}],"Id":"i","Version":"2012-10-17"}`
	want := `{"Version":"2012-10-17","Id":"i","Statement":[{"Sid":"x","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*","Condition":{"Bool":{"k":"true"},"StringEquals":{"a":"1","b":"2"}}}]}`
	p := mustParse(t, []byte(in))
	out, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	ind, err := p.MarshalIndent("", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ind), "\n  \"Statement\": [\n") {
		t.Errorf("indented output lacks indentation:\n%s", ind)
	}
	bad := &Policy{Statements: []Statement{{Effect: "Maybe", Action: []string{"s3:*"}}}}
	if _, err := bad.MarshalJSON(); !errors.Is(err, ErrValue) {
		t.Errorf("marshal of a bad Effect: err = %v", err)
	}
}

func TestEqual(t *testing.T) {
	a := mustParse(t, []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"a":"1"},"Bool":{"b":"true"}}}}`))
	b := mustParse(t, []byte(`{"Version":"2012-10-17","Statement":[{"Condition":{"Bool":{"b":"true"},"StringEquals":{"a":["1"]}},"Resource":["*"],"Action":["s3:*"],"Effect":"Allow"}]}`))
	c := mustParse(t, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"a":"2"},"Bool":{"b":"true"}}}]}`))
	if !a.Equal(b) {
		t.Errorf("equal documents compare unequal")
	}
	if a.Equal(c) {
		t.Errorf("different condition values compare equal")
	}
	b.Name = "other name"
	if !a.Equal(b) {
		t.Errorf("Name changed equality")
	}
}
