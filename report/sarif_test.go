package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/report"
)

// sarifObject is what the SARIF 2.1.0 schema (sarif-schema-2.1.0.json of
// OASIS, errata01) says of one object type: the properties it allows
// (every object but the property bag has additionalProperties false), the
// ones it requires, and for anyOf requirements the alternatives.
type sarifObject struct {
	allowed  []string
	required []string
	anyOf    [][]string
	// children maps a property to the object type of its value (or of
	// its items, for arrays).
	children map[string]string
}

// sarifSchema transcribes the definitions WriteSARIF can produce, from the
// schema's text.
var sarifSchema = map[string]sarifObject{
	"log": {allowed: []string{"$schema", "version", "runs", "inlineExternalProperties", "properties"}, required: []string{"version", "runs"},
		children: map[string]string{"runs": "run", "properties": "propertyBag"}},
	"run": {allowed: []string{"tool", "invocations", "conversion", "language", "versionControlProvenance", "originalUriBaseIds", "artifacts",
		"logicalLocations", "graphs", "results", "automationDetails", "runAggregates", "baselineGuid", "redactionTokens", "defaultEncoding",
		"defaultSourceLanguage", "newlineSequences", "columnKind", "externalPropertyFileReferences", "threadFlowLocations", "taxonomies",
		"addresses", "translations", "policies", "webRequests", "webResponses", "specialLocations", "properties"},
		required: []string{"tool"}, children: map[string]string{"tool": "tool", "results": "result", "properties": "propertyBag"}},
	"tool": {allowed: []string{"driver", "extensions", "properties"}, required: []string{"driver"},
		children: map[string]string{"driver": "toolComponent", "properties": "propertyBag"}},
	"toolComponent": {allowed: []string{"guid", "name", "organization", "product", "productSuite", "shortDescription", "fullDescription",
		"fullName", "version", "semanticVersion", "dottedQuadFileVersion", "releaseDateUtc", "downloadUri", "informationUri",
		"globalMessageStrings", "notifications", "rules", "taxa", "locations", "language", "contents", "isComprehensive",
		"localizedDataSemanticVersion", "minimumRequiredLocalizedDataSemanticVersion", "associatedComponent", "translationMetadata",
		"supportedTaxonomies", "properties"},
		required: []string{"name"},
		children: map[string]string{"rules": "reportingDescriptor", "shortDescription": "multiformatMessageString", "fullDescription": "multiformatMessageString", "properties": "propertyBag"}},
	"reportingDescriptor": {allowed: []string{"id", "deprecatedIds", "guid", "deprecatedGuids", "name", "deprecatedNames", "shortDescription",
		"fullDescription", "messageStrings", "defaultConfiguration", "helpUri", "help", "relationships", "properties"},
		required: []string{"id"},
		children: map[string]string{"shortDescription": "multiformatMessageString", "fullDescription": "multiformatMessageString",
			"help": "multiformatMessageString", "defaultConfiguration": "reportingConfiguration", "properties": "propertyBag"}},
	"reportingConfiguration":   {allowed: []string{"enabled", "level", "rank", "parameters", "properties"}},
	"multiformatMessageString": {allowed: []string{"text", "markdown", "properties"}, required: []string{"text"}},
	"result": {allowed: []string{"ruleId", "ruleIndex", "rule", "kind", "level", "message", "analysisTarget", "locations", "guid",
		"correlationGuid", "occurrenceCount", "partialFingerprints", "fingerprints", "stacks", "codeFlows", "graphs", "graphTraversals",
		"relatedLocations", "suppressions", "baselineState", "rank", "attachments", "hostedViewerUri", "workItemUris", "provenance",
		"fixes", "taxa", "webRequest", "webResponse", "properties"},
		required: []string{"message"},
		children: map[string]string{"message": "message", "locations": "location", "properties": "propertyBag"}},
	"message": {allowed: []string{"text", "markdown", "id", "arguments", "properties"}, anyOf: [][]string{{"text"}, {"id"}}},
	"location": {allowed: []string{"id", "physicalLocation", "logicalLocations", "message", "annotations", "relationships", "properties"},
		children: map[string]string{"physicalLocation": "physicalLocation", "logicalLocations": "logicalLocation", "message": "message"}},
	"physicalLocation": {allowed: []string{"address", "artifactLocation", "region", "contextRegion", "properties"},
		anyOf: [][]string{{"address"}, {"artifactLocation"}}, children: map[string]string{"artifactLocation": "artifactLocation", "region": "region"}},
	"artifactLocation": {allowed: []string{"uri", "uriBaseId", "index", "description", "properties"}},
	"region": {allowed: []string{"startLine", "startColumn", "endLine", "endColumn", "charOffset", "charLength", "byteOffset", "byteLength",
		"snippet", "message", "sourceLanguage", "properties"}, anyOf: [][]string{{"startLine"}, {"charOffset"}, {"byteOffset"}}},
	"logicalLocation": {allowed: []string{"name", "index", "fullyQualifiedName", "decoratedName", "parentIndex", "kind", "properties"}},
	"propertyBag":     {}, // additionalProperties true
}

// validateSARIF checks a value against sarifSchema and returns the
// problems, with their JSON paths.
func validateSARIF(v any, typ, path string) []string {
	def, ok := sarifSchema[typ]
	if !ok {
		return []string{path + ": no definition " + typ}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s: %s is not an object", path, typ)}
	}
	var out []string
	if typ != "propertyBag" {
		for k := range m {
			if !slices.Contains(def.allowed, k) {
				out = append(out, fmt.Sprintf("%s: property %q is not allowed in %s", path, k, typ))
			}
		}
	}
	for _, r := range def.required {
		if _, ok := m[r]; !ok {
			out = append(out, fmt.Sprintf("%s: %s lacks required %q", path, typ, r))
		}
	}
	if len(def.anyOf) > 0 {
		met := false
		for _, alt := range def.anyOf {
			all := true
			for _, k := range alt {
				if _, ok := m[k]; !ok {
					all = false
				}
			}
			met = met || all
		}
		if !met {
			out = append(out, fmt.Sprintf("%s: %s needs one of %v", path, typ, def.anyOf))
		}
	}
	for k, child := range def.children {
		switch c := m[k].(type) {
		case nil:
		case []any:
			for i, e := range c {
				out = append(out, validateSARIF(e, child, fmt.Sprintf("%s.%s[%d]", path, k, i))...)
			}
		default:
			out = append(out, validateSARIF(c, child, path+"."+k)...)
		}
	}
	return out
}

// TestSARIFValidates checks the demo's SARIF log against the structure of
// the SARIF 2.1.0 schema (property names, required properties, enums,
// minimums, unique rules), and against what GitHub code scanning reads.
func TestSARIFValidates(t *testing.T) {
	rep, _ := demoReview(t)
	text, err := os.ReadFile(filepath.Join(demoDir, "iam.json"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := report.WriteSARIF(&b, rep, report.SARIFOptions{ToolVersion: "test", Artifact: "testdata/demo/iam.json", Line: report.LineIndex(text)}); err != nil {
		t.Fatal(err)
	}
	var log map[string]any
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	for _, p := range validateSARIF(log, "log", "$") {
		t.Error(p)
	}
	if log["version"] != "2.1.0" {
		t.Errorf("version %v", log["version"])
	}
	run := log["runs"].([]any)[0].(map[string]any)
	driver := run["tool"].(map[string]any)["driver"].(map[string]any)
	rules := driver["rules"].([]any)
	ids := map[string]int{}
	for i, r := range rules {
		rm := r.(map[string]any)
		id := rm["id"].(string)
		if _, dup := ids[id]; dup {
			t.Errorf("rule %s twice (rules must be unique)", id)
		}
		ids[id] = i
		level := rm["defaultConfiguration"].(map[string]any)["level"]
		if !slices.Contains([]any{"none", "note", "warning", "error"}, level) {
			t.Errorf("rule %s level %v", id, level)
		}
		if sev, ok := rm["properties"].(map[string]any)["security-severity"].(string); !ok || sev == "" {
			t.Errorf("rule %s lacks a security-severity for GitHub", id)
		}
	}
	results := run["results"].([]any)
	if len(results) != rep.Counts.Total() {
		t.Errorf("%d results, want %d findings", len(results), rep.Counts.Total())
	}
	seen := map[string]bool{}
	for _, r := range results {
		rm := r.(map[string]any)
		id := rm["ruleId"].(string)
		if idx, ok := ids[id]; !ok || int(rm["ruleIndex"].(float64)) != idx {
			t.Errorf("result for %s has ruleIndex %v, want %d", id, rm["ruleIndex"], ids[id])
		}
		if !slices.Contains([]any{"none", "note", "warning", "error"}, rm["level"]) {
			t.Errorf("level %v", rm["level"])
		}
		fp := rm["partialFingerprints"].(map[string]any)["tailorFindingId/v1"].(string)
		if seen[fp] || !strings.HasPrefix(fp, id+"-") {
			t.Errorf("fingerprint %q (duplicate or not of rule %s)", fp, id)
		}
		seen[fp] = true
		loc := rm["locations"].([]any)[0].(map[string]any)
		phys := loc["physicalLocation"].(map[string]any)
		if uri := phys["artifactLocation"].(map[string]any)["uri"]; uri != "testdata/demo/iam.json" {
			t.Errorf("uri %v", uri)
		}
		if line := phys["region"].(map[string]any)["startLine"].(float64); line < 1 {
			t.Errorf("startLine %v < 1", line)
		}
	}
	// Results point at the principal's entry in the snapshot: the line of
	// "Arn": "arn:aws:iam::364851209736:role/DatadogIntegrationRole".
	lines := strings.Split(string(text), "\n")
	for _, r := range results {
		rm := r.(map[string]any)
		props := rm["properties"].(map[string]any)
		if props["principal"] != "arn:aws:iam::364851209736:role/DatadogIntegrationRole" {
			continue
		}
		line := int(rm["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)["region"].(map[string]any)["startLine"].(float64))
		if !strings.Contains(lines[line-1], `"arn:aws:iam::364851209736:role/DatadogIntegrationRole"`) {
			t.Errorf("line %d is %q", line, lines[line-1])
		}
	}
}

// TestSARIFValidatorCatchesMistakes makes sure the validator rejects what
// the schema rejects.
func TestSARIFValidatorCatchesMistakes(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{"unknown property", `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"message":{"text":"m"},"severity":"high"}]}]}`},
		{"no driver name", `{"version":"2.1.0","runs":[{"tool":{"driver":{}}}]}`},
		{"message without text or id", `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"message":{"markdown":"m"}}]}]}`},
		{"no runs", `{"version":"2.1.0"}`},
		{"region without a start", `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a"},"region":{"endLine":2}}}]}]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tt.doc), &v); err != nil {
				t.Fatal(err)
			}
			if p := validateSARIF(v, "log", "$"); len(p) == 0 {
				t.Error("accepted")
			}
		})
	}
}

// TestLineIndex finds the lines of ARNs in a snapshot's text.
func TestLineIndex(t *testing.T) {
	text := "{\n  \"RoleDetailList\": [\n    {\n      \"Description\": \"a \\\"quoted\\\" \\n text\",\n      \"Arn\": \"arn:aws:iam::1:role/a\"\n    },\n    {\"Arn\":\"arn:aws:iam::1:role/b\"}\n  ]\n}\n"
	line := report.LineIndex([]byte(text))
	if got := line("arn:aws:iam::1:role/a"); got != 5 {
		t.Errorf("role a at line %d, want 5", got)
	}
	if got := line("arn:aws:iam::1:role/b"); got != 7 {
		t.Errorf("role b at line %d, want 7", got)
	}
	if got := line("arn:aws:iam::1:role/c"); got != 0 {
		t.Errorf("missing role at line %d, want 0", got)
	}
}
