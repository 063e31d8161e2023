package report

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	"go.yaml.in/yaml/v3"

	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/rightsize"
)

// A suggestion as infrastructure as code: Terraform's
// aws_iam_policy_document data sources, written with HashiCorp's own HCL
// writer (so that "${" in a policy variable is escaped as Terraform reads
// it), and a CloudFormation template of AWS::IAM::ManagedPolicy resources,
// written with a YAML encoder. Both say what the suggestion rests on in a
// comment, and a suggestion that keeps nothing becomes comments with the
// AWS CLI commands that detach today's policies.

// RightsizeTerraform returns suggestions as Terraform: one
// aws_iam_policy_document data source per document, named after the
// principal ("datadog_integration_role_rightsized", with "_2", "_3" when
// split, and the kind first when a user and a role share a name).
func RightsizeTerraform(ss ...*rightsize.Suggestion) ([]byte, error) {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	names := iacNames(ss, terraformName, "_")
	for k, s := range ss {
		if k > 0 {
			body.AppendNewline()
		}
		body.AppendUnstructuredTokens(commentTokens(iacHeader(s, "#", true)))
		for i, p := range s.Policies {
			body.AppendNewline()
			name := names[k] + "_rightsized"
			if len(s.Policies) > 1 {
				name += "_" + strconv.Itoa(i+1)
			}
			blk := body.AppendNewBlock("data", []string{"aws_iam_policy_document", name}).Body()
			blk.SetAttributeValue("version", cty.StringVal(p.Version))
			for _, st := range p.Statements {
				if st.Principal != nil || st.NotPrincipal != nil {
					return nil, fmt.Errorf("terraform for %s: identity policy statement %q names a principal", s.Principal, st.Sid)
				}
				sb := blk.AppendNewBlock("statement", nil).Body()
				if st.Sid != "" {
					sb.SetAttributeValue("sid", cty.StringVal(st.Sid))
				}
				sb.SetAttributeValue("effect", cty.StringVal(string(st.Effect)))
				for _, l := range []struct {
					name string
					vals []string
				}{{"actions", st.Action}, {"not_actions", st.NotAction}, {"resources", st.Resource}, {"not_resources", st.NotResource}} {
					if len(l.vals) > 0 {
						sb.SetAttributeValue(l.name, stringList(l.vals))
					}
				}
				for _, c := range st.Condition {
					cb := sb.AppendNewBlock("condition", nil).Body()
					cb.SetAttributeValue("test", cty.StringVal(c.Operator))
					cb.SetAttributeValue("variable", cty.StringVal(c.Key))
					cb.SetAttributeValue("values", stringList(c.Values))
				}
			}
		}
	}
	return hclwrite.Format(f.Bytes()), nil
}

// iacNames names each suggestion's resources: name(principal name), or,
// when two principals (a user and a role) give the same name, their kind,
// sep and the name.
func iacNames(ss []*rightsize.Suggestion, name func(string) string, sep string) []string {
	out := make([]string, len(ss))
	count := map[string]int{}
	for i, s := range ss {
		out[i] = name(s.Name)
		count[out[i]]++
	}
	for i, s := range ss {
		if count[out[i]] > 1 {
			out[i] = name(s.Kind) + sep + out[i]
		}
	}
	return out
}

func stringList(vals []string) cty.Value {
	out := make([]cty.Value, len(vals))
	for i, v := range vals {
		out[i] = cty.StringVal(v)
	}
	return cty.ListVal(out)
}

func commentTokens(lines []string) hclwrite.Tokens {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return hclwrite.Tokens{{Type: hclsyntax.TokenComment, Bytes: []byte(b.String())}}
}

// terraformName makes a Terraform identifier of a principal name:
// lowercase words joined by '_', starting with a letter.
func terraformName(name string) string {
	var b strings.Builder
	prevLower := false
	for _, r := range name {
		switch {
		case unicode.IsUpper(r) && r < unicode.MaxASCII:
			if prevLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			prevLower = false
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			b.WriteRune(r)
			prevLower = true
		default:
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
				b.WriteByte('_')
			}
			prevLower = false
		}
	}
	s := strings.Trim(b.String(), "_")
	if s == "" || !('a' <= s[0] && s[0] <= 'z') {
		s = "p_" + s
	}
	return s
}

// iacHeader is the comment that opens a file of infrastructure as code: who
// the suggestion is for, the window, and what to do when it keeps nothing.
func iacHeader(s *rightsize.Suggestion, mark string, detach bool) []string {
	w := s.Window
	lines := []string{
		fmt.Sprintf("%s Least-privilege policy suggested by tailor for %s %s", mark, s.Kind, s.Principal),
		fmt.Sprintf("%s from its use %s to %s: %d of %d actions granted were used; verified: no new access, nothing observed breaks.",
			mark, rsDay(w.Since), rsLastDay(w.Until), s.Used, s.Granted),
	}
	if w.Days > 0 && !w.Complete() {
		lines = append(lines, fmt.Sprintf("%s %d of %d days had no logs: %s.", mark, len(w.MissingDays), w.Days, rightsize.DayRanges(w.MissingDays)))
	}
	for _, n := range s.Notes {
		lines = append(lines, mark+" Note: "+n)
	}
	if detach && len(s.Detach) > 0 {
		lines = append(lines, mark+" Nothing is kept: detach today's policies instead.")
		for _, d := range s.Detach {
			if d.Command != "" {
				lines = append(lines, mark+"   "+d.Command)
			} else {
				lines = append(lines, mark+"   detach "+d.Policy)
			}
		}
	}
	for i, l := range lines {
		lines[i] = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, l)
	}
	return lines
}

// RightsizeCloudFormation returns suggestions as one CloudFormation
// template: an AWS::IAM::ManagedPolicy per document, attached to its
// principal (Roles or Users).
func RightsizeCloudFormation(ss ...*rightsize.Suggestion) ([]byte, error) {
	root := mapNode()
	addPair(root, "AWSTemplateFormatVersion", strNode("2010-09-09"))
	desc := "Least-privilege policies suggested by tailor"
	if len(ss) == 1 {
		desc = "Least-privilege policy suggested by tailor for " + ss[0].Kind + " " + ss[0].Name
	}
	addPair(root, "Description", strNode(truncate(desc, 1024)))
	resources := mapNode()
	names := iacNames(ss, cloudFormationName, "")
	var comments []string
	for k, s := range ss {
		comments = append(comments, iacHeader(s, "#", true)...)
		for i, p := range s.Policies {
			name, logical := s.Name+"-rightsized", names[k]+"Rightsized"
			if len(s.Policies) > 1 {
				name += "-" + strconv.Itoa(i+1)
				logical += strconv.Itoa(i + 1)
			}
			props := mapNode()
			addPair(props, "ManagedPolicyName", strNode(name))
			attach := "Roles"
			if s.Kind == "user" {
				attach = "Users"
			}
			addPair(props, attach, listNode([]string{s.Name}))
			doc, err := policyNode(p)
			if err != nil {
				return nil, fmt.Errorf("cloudformation for %s: %w", s.Principal, err)
			}
			addPair(props, "PolicyDocument", doc)
			res := mapNode()
			addPair(res, "Type", strNode("AWS::IAM::ManagedPolicy"))
			addPair(res, "Properties", props)
			addPair(resources, logical, res)
		}
	}
	if len(resources.Content) > 0 {
		addPair(root, "Resources", resources)
	}
	root.HeadComment = strings.Join(comments, "\n")
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, fmt.Errorf("write cloudformation: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write cloudformation: %w", err)
	}
	return buf.Bytes(), nil
}

// policyNode renders a policy document in the order of the canonical JSON.
func policyNode(p *policy.Policy) (*yaml.Node, error) {
	doc := mapNode()
	addPair(doc, "Version", strNode(p.Version))
	stmts := &yaml.Node{Kind: yaml.SequenceNode}
	for _, st := range p.Statements {
		if st.Principal != nil || st.NotPrincipal != nil {
			return nil, fmt.Errorf("identity policy statement %q names a principal", st.Sid)
		}
		n := mapNode()
		if st.Sid != "" {
			addPair(n, "Sid", strNode(st.Sid))
		}
		addPair(n, "Effect", strNode(string(st.Effect)))
		for _, l := range []struct {
			key  string
			vals []string
		}{{"Action", st.Action}, {"NotAction", st.NotAction}, {"Resource", st.Resource}, {"NotResource", st.NotResource}} {
			if len(l.vals) > 0 {
				addPair(n, l.key, listNode(l.vals))
			}
		}
		if len(st.Condition) > 0 {
			cond := mapNode()
			byOp := map[string]*yaml.Node{}
			for _, c := range st.Condition {
				op := byOp[c.Operator]
				if op == nil {
					op = mapNode()
					byOp[c.Operator] = op
					addPair(cond, c.Operator, op)
				}
				addPair(op, c.Key, listNode(c.Values))
			}
			addPair(n, "Condition", cond)
		}
		stmts.Content = append(stmts.Content, n)
	}
	addPair(doc, "Statement", stmts)
	return doc, nil
}

func mapNode() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

// strNode is a string scalar, plain only when it is plainly a string to
// any YAML reader: a word of letters and digits with ':', '/', '*' and the
// like inside, that neither YAML 1.2 nor 1.1 (which CloudFormation's
// parser follows in places) reads as a boolean, null or number.
func strNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if !plainSafe(s) {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

func plainSafe(s string) bool {
	if s == "" || !('a' <= s[0] && s[0] <= 'z' || 'A' <= s[0] && s[0] <= 'Z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-_./*:@+=,", c) >= 0:
		default:
			return false
		}
		if c == ':' && i+1 < len(s) && s[i+1] == ' ' {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "true", "false", "on", "off", "null", ".inf", ".nan":
		return false
	}
	return !strings.HasSuffix(s, ":")
}

func listNode(vals []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode}
	for _, v := range vals {
		n.Content = append(n.Content, strNode(v))
	}
	return n
}

func addPair(m *yaml.Node, key string, val *yaml.Node) {
	m.Content = append(m.Content, strNode(key), val)
}

// cloudFormationName makes a logical id of a principal name: its letters
// and digits, starting with a letter.
func cloudFormationName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	s := b.String()
	if s == "" || !unicode.IsLetter(rune(s[0])) {
		s = "P" + s
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
