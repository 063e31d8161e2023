package vendortemplate

import (
	"fmt"
	"strings"
	"testing"
)

// TestHCLExpr parses one expression and renders it as JSON.
func TestHCLExpr(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"string escapes", `"a\"b\n\u00e9"`, `"a\"b\né"`},
		{"template with quotes", `"x${var.a["k"]}y"`, `"x${var.a[\"k\"]}y"`},
		{"escaped template", `"$${literal} %%{ x }"`, `"${literal} %{ x }"`},
		{"directive", `"%{ if a }b%{ endif }"`, `"%{ if a }b%{ endif }"`},
		{"number", `42`, `42`},
		{"negative float", `-1.5e3`, `-1.5e3`},
		{"booleans and null", `[true, false, null]`, `[true,false,null]`},
		{"reference", `var.a`, `"${var.a}"`},
		{"index and attributes", `a.b[0].c`, `"${a.b[0].c}"`},
		{"index by reference", `a.b[count.index].c`, `"${a.b[count.index].c}"`},
		{"splats", `a[*].b`, `"${a[*].b}"`},
		{"legacy splat", `a.*.b`, `"${a.*.b}"`},
		{"conditional", `x == null ? "a" : "b"`, `"${x == null ? \"a\" : \"b\"}"`},
		{"not", `!var.enabled`, `"${!var.enabled}"`},
		{"minus", `-var.n`, `"${-var.n}"`},
		{"parentheses and operators", `(a + b) * 2`, `"${(a + b) * 2}"`},
		{"call", `upper("x")`, `"${upper(\"x\")}"`},
		{"call with expansion", `concat(["a"], var.b...)`, `"${concat([\"a\"], var.b...)}"`},
		{"provider function", `provider::aws::arn_parse(x).account_id`, `"${provider::aws::arn_parse(x).account_id}"`},
		{"for list", `[for s in var.l : upper(s)]`, `"${[for s in var.l : upper(s)]}"`},
		{"for object", `{ for k, v in m : k => v }`, `"${{ for k, v in m : k => v }}"`},
		{"tuple", `[1, "a", [true]]`, `[1,"a",[true]]`},
		{"object", `{ a = 1, "b" = var.x, c: [] }`, `{"a":1,"b":"${var.x}","c":[]}`},
		{"lines, comments, trailing comma", "[\n  \"a\", # one\n  \"b\", // two\n  /* three */\n]", `["a","b"]`},
		{"object on lines", "{\n  a = 1\n  b = {\n    c = \"d\"\n  }\n}", `{"a":1,"b":{"c":"d"}}`},
		{"conditional on lines in parentheses", "(\n  var.a\n  ? 1\n  : 2\n)", `"${(\n  var.a\n  ? 1\n  : 2\n)}"`},
		{"heredoc", "<<EOT\n  a\n b\nEOT", `"  a\n b\n"`},
		{"indented heredoc", "<<-EOT\n    a\n      b\n\n    c\n  EOT", `"a\n  b\n\nc\n"`},
		{"heredoc escapes", "<<EOF\n$${x} %%{y} ${z}\nEOF", `"${x} %{y} ${z}\n"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := parseHCLExpr("expr.tf", tt.src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := marshal(plain(v))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestHCLBody parses a body and prints its items.
func TestHCLBody(t *testing.T) {
	src := `resource "aws_iam_role" "r"{ name = "x" }
empty {}
/* a comment */ outer label {
  a = 1 # trailing comment
  inner "l" "m" {
    list = [1,
      2]
  }
}
`
	want := `resource [aws_iam_role r] { name="x" }
empty [] { }
outer [label] { a=1 inner [l m] { list=[1,2] } }
`
	items, err := parseHCL("body.tf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var print func(items []hclItem)
	print = func(items []hclItem) {
		for _, it := range items {
			if !it.block {
				v, _ := marshal(plain(it.value))
				fmt.Fprintf(&b, "%s=%s ", it.name, v)
				continue
			}
			fmt.Fprintf(&b, "%s %v { ", it.name, it.labels)
			print(it.items)
			b.WriteString("} ")
		}
	}
	for _, it := range items {
		print([]hclItem{it})
		b.WriteString("\n")
	}
	if got := strings.ReplaceAll(b.String(), " \n", "\n"); got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
}

// TestHCLAttributeText checks the source text kept for an attribute, which
// notes quote and references are found in.
func TestHCLAttributeText(t *testing.T) {
	items, err := parseHCL("text.tf", []byte("policy = var.p == null ? data.x.y.json : var.p  # why\nnext = 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].text != "var.p == null ? data.x.y.json : var.p" {
		t.Fatalf("items %+v", items)
	}
	if got := sources(items[0].value, nil); strings.Join(got, ",") != "var.p,data.x.y.json" {
		t.Errorf("sources %q, want var.p and data.x.y.json", got)
	}
}
