package vendortemplate

import (
	"encoding/json"
	"testing"
)

func TestResolve(t *testing.T) {
	mappings := `{"Vendor": {"Accounts": {"Trusted": "210987654321", "List": ["a", "b"]}}}`
	tests := []struct {
		name, in, want string
	}{
		{"Ref", `{"Ref": "X"}`, `"${X}"`},
		{"Ref AWS::NoValue drops a key", `{"a": {"Ref": "AWS::NoValue"}, "b": 1}`, `{"b":1}`},
		{"Sub", `{"Fn::Sub": "a-${X}"}`, `"a-${X}"`},
		{"Sub with variables", `{"Fn::Sub": ["${A}-${B}-${C}", {"A": {"Ref": "P"}, "B": "lit"}]}`, `"${P}-lit-${C}"`},
		{"GetAtt list", `{"Fn::GetAtt": ["R", "Arn"]}`, `"${R.Arn}"`},
		{"GetAtt text", `{"Fn::GetAtt": "R.Arn"}`, `"${R.Arn}"`},
		{"Join", `{"Fn::Join": [",", ["a", {"Ref": "AWS::NoValue"}, {"Fn::If": ["C", ["b", "c"], []]}, 1]]}`, `"a,b,c,1"`},
		{"Join of a list parameter", `{"Fn::Join": [",", {"Ref": "Names"}]}`, `"${Fn::Join}"`},
		{"If", `{"Fn::If": ["C", "yes", "no"]}`, `"yes"`},
		{"If in a list splices a list", `["a", {"Fn::If": ["C", ["b", "c"], "d"]}]`, `["a","b","c"]`},
		{"If choosing NoValue drops", `["a", {"Fn::If": ["C", {"Ref": "AWS::NoValue"}, "b"]}]`, `["a"]`},
		{"FindInMap", `{"Fn::FindInMap": ["Vendor", "Accounts", "Trusted"]}`, `"210987654321"`},
		{"FindInMap of a list", `{"Fn::FindInMap": ["Vendor", "Accounts", "List"]}`, `["a","b"]`},
		{"FindInMap by a reference", `{"Fn::FindInMap": ["Vendor", {"Ref": "AWS::Region"}, "Trusted"]}`, `"${Fn::FindInMap}"`},
		{"other functions", `{"Fn::Base64": "x"}`, `"${Fn::Base64}"`},
		{"not a function", `{"Condition": "IsProd"}`, `{"Condition":"IsProd"}`},
		{"nested", `{"Statement": [{"Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::b"}}]}`, `{"Statement":[{"Resource":"arn:${AWS::Partition}:s3:::b"}]}`},
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(mappings), &m); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := decodeJSON("in.json", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal((&resolver{mappings: m}).resolve(in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestYAMLValue(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"Ref", `!Ref X`, `{"Ref":"X"}`},
		{"GetAtt", `!GetAtt A.B`, `{"Fn::GetAtt":"A.B"}`},
		{"Condition", `!Condition C`, `{"Condition":"C"}`},
		{"tagged sequence", `!Join [",", [a, !Ref B]]`, `{"Fn::Join":[",",["a",{"Ref":"B"}]]}`},
		{"tagged mapping", "!Sub\n- '${A}'\n- {A: !Ref B}", `{"Fn::Sub":["${A}",{"A":{"Ref":"B"}}]}`},
		{"typed scalars", "[12, 1.5, True, false, ~, 2012-10-17, '7']", `[12,1.5,true,false,null,"2012-10-17","7"]`},
		{"numbers JSON cannot hold", "[0x1F, .inf, 0o17]", `["0x1F",".inf","0o17"]`},
		{"aliases", "a: &x [1]\nb: *x", `{"a":[1],"b":[1]}`},
		{"empty document", "", `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decodeYAML("in.yaml", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
