package report_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
	"go.yaml.in/yaml/v3"

	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/policydiff"
	"github.com/tailor-sec/tailor/report"
	"github.com/tailor-sec/tailor/rightsize"
)

// iacSuggestion is a suggestion whose documents hold what is hard to
// carry into HCL and YAML: policy variables, template and quote
// characters, values YAML would read as other types, a split, a document
// of Version 2008-10-17 and a NotAction statement.
func iacSuggestion(t *testing.T) *rightsize.Suggestion {
	t.Helper()
	docs := []string{
		`{"Version":"2012-10-17","Statement":[
			{"Sid":"Home","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],
			 "Resource":["arn:aws:s3:::home/${aws:username}/*","arn:aws:s3:::a/%{x}/\"q\"\\b"],
			 "Condition":{"StringEquals":{"aws:PrincipalTag/team":["dev","${aws:username}"],"s3:prefix":"true"},
			              "Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"s3:max-keys":"10"},
			              "DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}},
			{"Effect":"Deny","NotAction":["iam:*","sts:*"],"NotResource":"arn:aws:iam::*:role/x*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"Rest","Effect":"Allow","Action":"ec2:Describe*","Resource":"*"},
			{"Sid":"Yes","Effect":"Allow","Action":"ec2:StartInstances","Resource":"arn:aws:ec2:*:*:instance/*",
			 "Condition":{"StringLike":{"ec2:ResourceTag/yes":["no","null","~","0x10","1e3","- x",": y","# z","é ünï"]}}}]}`,
		`{"Version":"2008-10-17","Statement":[{"Sid":"Literal","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::${literal}"}]}`,
	}
	s := &rightsize.Suggestion{Principal: "arn:aws:iam::111122223333:role/Vendor-Role.x", Name: "Vendor-Role.x", Kind: "role",
		Notes: []string{"a note\x1b]0;title\x07 with an escape"}}
	for _, d := range docs {
		p, err := policy.Parse([]byte(d))
		if err != nil {
			t.Fatal(err)
		}
		s.Policies = append(s.Policies, p)
	}
	return s
}

func canonical(t *testing.T, p *policy.Policy) string {
	t.Helper()
	b, err := policydiff.Render(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestTerraformReadsBack parses the Terraform with HashiCorp's HCL parser,
// evaluates every aws_iam_policy_document as Terraform would and compares
// the policies with the suggestion's.
func TestTerraformReadsBack(t *testing.T) {
	s := iacSuggestion(t)
	src, err := report.RightsizeTerraform(s)
	if err != nil {
		t.Fatal(err)
	}
	f, diags := hclparse.NewParser().ParseHCL(src, "suggestion.tf")
	if diags.HasErrors() {
		t.Fatalf("%v\n%s", diags, src)
	}
	// Terraform reads "${" and "%{" in a string as a template: a policy
	// variable must be written escaped.
	if !strings.Contains(string(src), `"arn:aws:s3:::home/$${aws:username}/*"`) || !strings.Contains(string(src), `%%{x}`) {
		t.Errorf("policy variables not escaped for Terraform:\n%s", src)
	}
	got := terraformPolicies(t, f.Body)
	if len(got) != len(s.Policies) {
		t.Fatalf("%d documents, want %d:\n%s", len(got), len(s.Policies), src)
	}
	names := []string{"vendor_role_x_rightsized_1", "vendor_role_x_rightsized_2", "vendor_role_x_rightsized_3"}
	for i, p := range s.Policies {
		g, ok := got[names[i]]
		if !ok {
			t.Fatalf("no data source %s in:\n%s", names[i], src)
		}
		if a, b := canonical(t, g), canonical(t, p); a != b {
			t.Errorf("document %d reads back as\n%s\nwant\n%s\nfrom\n%s", i+1, a, b, src)
		}
	}
	if strings.Contains(string(src), "\x1b") {
		t.Error("a control character reached the Terraform comment")
	}
}

var (
	tfDataSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "data", LabelNames: []string{"type", "name"}}}}
	tfDocSchema  = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "version"}},
		Blocks: []hcl.BlockHeaderSchema{{Type: "statement"}}}
	tfStmtSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "sid"}, {Name: "effect"}, {Name: "actions"},
		{Name: "not_actions"}, {Name: "resources"}, {Name: "not_resources"}}, Blocks: []hcl.BlockHeaderSchema{{Type: "condition"}}}
	tfCondSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "test", Required: true},
		{Name: "variable", Required: true}, {Name: "values", Required: true}}}
)

// terraformPolicies decodes the aws_iam_policy_document data sources of a
// body into JSON policy documents, as the AWS provider builds them.
func terraformPolicies(t *testing.T, body hcl.Body) map[string]*policy.Policy {
	t.Helper()
	check := func(d hcl.Diagnostics) {
		t.Helper()
		if d.HasErrors() {
			t.Fatal(d)
		}
	}
	str := func(a *hcl.Attribute) string {
		v, d := a.Expr.Value(nil)
		check(d)
		return v.AsString()
	}
	list := func(a *hcl.Attribute) []string {
		v, d := a.Expr.Value(nil)
		check(d)
		var out []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.Type() != cty.String {
				t.Fatalf("list element of type %s", e.Type().FriendlyName())
			}
			out = append(out, e.AsString())
		}
		return out
	}
	out := map[string]*policy.Policy{}
	c, d := body.Content(tfDataSchema)
	check(d)
	for _, blk := range c.Blocks {
		if blk.Labels[0] != "aws_iam_policy_document" {
			t.Fatalf("data source %s", blk.Labels[0])
		}
		dc, d := blk.Body.Content(tfDocSchema)
		check(d)
		doc := map[string]any{"Version": str(dc.Attributes["version"])}
		var stmts []any
		for _, sb := range dc.Blocks {
			sc, d := sb.Body.Content(tfStmtSchema)
			check(d)
			st := map[string]any{}
			for attr, key := range map[string]string{"sid": "Sid", "effect": "Effect"} {
				if a, ok := sc.Attributes[attr]; ok {
					st[key] = str(a)
				}
			}
			for attr, key := range map[string]string{"actions": "Action", "not_actions": "NotAction", "resources": "Resource", "not_resources": "NotResource"} {
				if a, ok := sc.Attributes[attr]; ok {
					st[key] = list(a)
				}
			}
			cond := map[string]map[string][]string{}
			for _, cb := range sc.Blocks {
				cc, d := cb.Body.Content(tfCondSchema)
				check(d)
				op := str(cc.Attributes["test"])
				if cond[op] == nil {
					cond[op] = map[string][]string{}
				}
				cond[op][str(cc.Attributes["variable"])] = list(cc.Attributes["values"])
			}
			if len(cond) > 0 {
				st["Condition"] = cond
			}
			stmts = append(stmts, st)
		}
		doc["Statement"] = stmts
		out[blk.Labels[1]] = parseMap(t, doc)
	}
	return out
}

func parseMap(t *testing.T, doc any) *policy.Policy {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse(b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	return p
}

// TestCloudFormationReadsBack parses the template with a YAML parser and
// compares each ManagedPolicy's document with the suggestion's.
func TestCloudFormationReadsBack(t *testing.T) {
	s := iacSuggestion(t)
	src, err := report.RightsizeCloudFormation(s)
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct {
		AWSTemplateFormatVersion string `yaml:"AWSTemplateFormatVersion"`
		Resources                map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				ManagedPolicyName string   `yaml:"ManagedPolicyName"`
				Roles             []string `yaml:"Roles"`
				Users             []string `yaml:"Users"`
				PolicyDocument    any      `yaml:"PolicyDocument"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(src, &tmpl); err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	// YAML 1.1 readers (CloudFormation's among them) take yes, no, on,
	// off as booleans: such strings must be quoted.
	for _, want := range []string{`Sid: "Yes"`, `- "no"`, `- "null"`, `- "~"`} {
		if !strings.Contains(string(src), want) {
			t.Errorf("template lacks %s:\n%s", want, src)
		}
	}
	if tmpl.AWSTemplateFormatVersion != "2010-09-09" || len(tmpl.Resources) != 3 {
		t.Fatalf("template %+v:\n%s", tmpl, src)
	}
	for i, p := range s.Policies {
		id := "VendorRolexRightsized" + string(rune('1'+i))
		r, ok := tmpl.Resources[id]
		if !ok {
			t.Fatalf("no resource %s:\n%s", id, src)
		}
		if r.Type != "AWS::IAM::ManagedPolicy" || !slices.Equal(r.Properties.Roles, []string{"Vendor-Role.x"}) || r.Properties.Users != nil {
			t.Errorf("%s: %+v", id, r)
		}
		if a, b := canonical(t, parseMap(t, r.Properties.PolicyDocument)), canonical(t, p); a != b {
			t.Errorf("%s reads back as\n%s\nwant\n%s\nfrom\n%s", id, a, b, src)
		}
	}
}

// TestIaCDetach: a suggestion that keeps nothing gives no document, but
// the commands that detach today's policies, as comments.
func TestIaCDetach(t *testing.T) {
	s := &rightsize.Suggestion{Principal: "arn:aws:iam::111122223333:user/bob", Name: "bob", Kind: "user",
		Detach: []rightsize.Detachment{{Policy: `inline policy "x"`, Command: "aws iam delete-user-policy --user-name bob --policy-name x"}}}
	tf, err := report.RightsizeTerraform(s)
	if err != nil {
		t.Fatal(err)
	}
	cfn, err := report.RightsizeCloudFormation(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range [][]byte{tf, cfn} {
		if !strings.Contains(string(out), "#   aws iam delete-user-policy --user-name bob --policy-name x\n") {
			t.Errorf("no detach command in:\n%s", out)
		}
	}
	if strings.Contains(string(tf), "data ") || strings.Contains(string(cfn), "Resources") {
		t.Errorf("a document for a suggestion that keeps nothing:\n%s\n%s", tf, cfn)
	}
}
