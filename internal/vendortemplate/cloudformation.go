package vendortemplate

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlLine finds the line number in a go.yaml.in/yaml error message.
var yamlLine = regexp.MustCompile(`line (\d+)`)

// decodeYAML decodes YAML into the values encoding/json would give the same
// document, with CloudFormation short tags in their long form.
func decodeYAML(name string, data []byte) (any, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		pe := &ParseError{File: name, Err: err}
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			pe.Line, _ = strconv.Atoi(m[1])
		}
		return nil, pe
	}
	return yamlValue(&root), nil
}

// yamlValue converts a YAML node to plain values. A CloudFormation short
// tag (!Ref X, !Sub s, !GetAtt A.B) becomes its long form ({"Ref": "X"},
// {"Fn::Sub": "s"}, {"Fn::GetAtt": "A.B"}). Integers, floats and booleans
// keep their type; other scalars (timestamps such as 2012-10-17 included)
// are text.
func yamlValue(n *yaml.Node) any {
	var v any
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return yamlValue(n.Content[0])
	case yaml.AliasNode:
		return yamlValue(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = yamlValue(n.Content[i+1])
		}
		v = m
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			l = append(l, yamlValue(c))
		}
		v = l
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!int", "!!float":
			// YAML numbers JSON cannot hold (0x1F, .inf, 0123) stay text.
			if json.Valid([]byte(n.Value)) {
				v = json.Number(n.Value)
			} else {
				v = n.Value
			}
		case "!!bool":
			v = strings.EqualFold(n.Value, "true")
		case "!!null":
			v = nil
		default:
			v = n.Value
		}
	}
	if tag := n.Tag; strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") {
		name := tag[1:]
		if name != "Ref" && name != "Condition" {
			name = "Fn::" + name
		}
		return map[string]any{name: v}
	}
	return v
}

// noValue is what Ref AWS::NoValue resolves to: the element is dropped.
type noValue struct{}

// resolver replaces CloudFormation intrinsic functions by text.
type resolver struct {
	mappings map[string]any // the template's Mappings
}

// resolve returns v with its intrinsic functions replaced, or noValue.
func (r *resolver) resolve(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if out, ok := r.intrinsic(k, arg); ok {
					return out
				}
			}
		}
		m := make(map[string]any, len(x))
		for k, e := range x {
			if out := r.resolve(e); !isNoValue(out) {
				m[k] = out
			}
		}
		return m
	case []any:
		l := make([]any, 0, len(x))
		for _, e := range x {
			out := r.resolve(e)
			if isNoValue(out) {
				continue
			}
			// An Fn::If that chooses a list inside a list splices it in.
			if m, ok := e.(map[string]any); ok && len(m) == 1 && m["Fn::If"] != nil {
				if ol, ok := out.([]any); ok {
					l = append(l, ol...)
					continue
				}
			}
			l = append(l, out)
		}
		return l
	}
	return v
}

func isNoValue(v any) bool {
	_, ok := v.(noValue)
	return ok
}

// intrinsic resolves the function k applied to arg; ok is false when k is
// not a function.
func (r *resolver) intrinsic(k string, arg any) (out any, ok bool) {
	switch k {
	case "Ref":
		if arg == "AWS::NoValue" {
			return noValue{}, true
		}
		return fmt.Sprintf("${%v}", arg), true
	case "Fn::Sub":
		return r.sub(arg), true
	case "Fn::GetAtt":
		if l, ok := arg.([]any); ok {
			parts := make([]string, len(l))
			for i, p := range l {
				parts[i] = fmt.Sprint(r.resolve(p))
			}
			return "${" + strings.Join(parts, ".") + "}", true
		}
		return fmt.Sprintf("${%v}", arg), true
	case "Fn::Join":
		if l, ok := arg.([]any); ok && len(l) == 2 {
			if parts, ok := r.resolve(l[1]).([]any); ok {
				s := make([]string, len(parts))
				for i, p := range parts {
					s[i] = fmt.Sprint(p)
				}
				return strings.Join(s, fmt.Sprint(l[0])), true
			}
		}
	case "Fn::If":
		if l, ok := arg.([]any); ok && len(l) == 3 {
			return r.resolve(l[1]), true
		}
	case "Fn::FindInMap":
		if l, ok := arg.([]any); ok && len(l) == 3 {
			m, _ := r.mappings[fmt.Sprint(r.resolve(l[0]))].(map[string]any)
			m2, _ := m[fmt.Sprint(r.resolve(l[1]))].(map[string]any)
			if val, ok := m2[fmt.Sprint(r.resolve(l[2]))]; ok {
				return r.resolve(val), true
			}
		}
	default:
		if !strings.HasPrefix(k, "Fn::") {
			return nil, false
		}
	}
	return "${" + k + "}", true
}

// sub returns the template of an Fn::Sub, with the variables its second
// form defines replaced by their values.
func (r *resolver) sub(arg any) any {
	l, ok := arg.([]any)
	if !ok {
		return fmt.Sprint(arg)
	}
	if len(l) == 0 {
		return "${Fn::Sub}"
	}
	s := fmt.Sprint(l[0])
	if len(l) > 1 {
		vars, _ := l[1].(map[string]any)
		names := make([]string, 0, len(vars))
		for name := range vars {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if val, ok := r.resolve(vars[name]).(string); ok {
				s = strings.ReplaceAll(s, "${"+name+"}", val)
			}
		}
	}
	return s
}
