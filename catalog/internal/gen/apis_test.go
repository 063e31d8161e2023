package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// changelog is a CHANGELOG.md of the Go SDK's root module in its three
// heading styles: demo changes its model on 2026-10-01, gets only an
// SDK-wide note on 2026-07-06 and a documentation update on 2026-06-02.
const changelog = "# Release (2026-11-10)\n\n## Module Highlights\n" +
	"* `github.com/aws/aws-sdk-go-v2/service/other`: [v1.9.0](service/other/CHANGELOG.md#v190-2026-11-10)\n" +
	"  * **Feature**: Adds ListOthers.\n" +
	"# Release (2026-10-01)\n" +
	"* `github.com/aws/aws-sdk-go-v2/service/demo`: [v1.3.0](service/demo/CHANGELOG.md#v130-2026-10-01)\n" +
	"  * **Documentation**: Clarifies GetThing.\n" +
	"  * **Feature**: Adds StreamThing.\n" +
	"# Release (2026-07-06)\n" +
	"* `github.com/aws/aws-sdk-go-v2/service/demo`: [v1.2.5](service/demo/CHANGELOG.md#v125-2026-07-06)\n" +
	"  * **Feature**: Add request serialization snapshot tests.\n" +
	"* `github.com/aws/aws-sdk-go-v2/service/internal/checksum`: [v1.1.0](x)\n" +
	"  * **Feature**: Not a service.\n" +
	"# Release (2026-06-03.2)\n" +
	"* `github.com/aws/aws-sdk-go-v2/service/demo`: [v1.2.1](service/demo/CHANGELOG.md#v121-2026-06-032)\n" +
	"  * **Documentation**: Fixes a typo.\n" +
	"* `github.com/aws/aws-sdk-go-v2/service/demo`: [v1.2.0](x)\n" +
	"  * **Feature**: Adds GetThing.\n" +
	"# Release 2021-08-04\n" +
	"* `github.com/aws/aws-sdk-go-v2/service/demo`: [v1.0.0](x)\n" +
	"  * **Release**: New AWS service client module\n"

func TestParseHistory(t *testing.T) {
	h, err := parseHistory([]byte(changelog))
	if err != nil {
		t.Fatal(err)
	}
	if h.date.Format(time.DateOnly) != "2026-11-10" {
		t.Errorf("date %v", h.date)
	}
	demo := h.modules[sdkServiceDir+"demo"]
	var got []string
	for _, r := range demo {
		got = append(got, fmt.Sprintf("%s %s %v", r.version, r.date.Format(time.DateOnly), r.model))
	}
	want := []string{"v1.3.0 2026-10-01 true", "v1.2.5 2026-07-06 false", "v1.2.1 2026-06-03 false", "v1.2.0 2026-06-03 true", "v1.0.0 2021-08-04 true"}
	if !slices.Equal(got, want) {
		t.Errorf("demo releases\n got %q\nwant %q", got, want)
	}
	if _, ok := h.modules[sdkServiceDir+"internal"]; ok {
		t.Error("internal/checksum taken for a service")
	}
	for _, tc := range []struct {
		name, version string
		date          time.Time
		want          string
	}{
		// The Go module v1.2.0: the next model change is v1.3.0.
		{"go v1.2.0", "v1.2.0", day("2026-06-03"), "2026-10-01"},
		// v1.3.0 is the newest: current as of the changelog.
		{"go v1.3.0", "v1.3.0", day("2026-10-01"), "2026-11-10"},
		// A JavaScript client of 2026-06-04 may lack the model the Go SDK
		// released the day before: current only as of its own date.
		{"js a day after", "", day("2026-06-04"), "2026-06-04"},
		// Two days after, it has it: current until 2026-10-01.
		{"js two days after", "", day("2026-06-05"), "2026-10-01"},
		// A client of 2026-10-01 may predate that day's Go release of the
		// same model: current only as of its own date.
		{"js same day", "", day("2026-10-01").Add(9 * time.Hour), "2026-10-01"},
		{"js newest", "", day("2026-10-03"), "2026-11-10"},
	} {
		if got := h.currentUntil(sdkServiceDir+"demo", tc.version, tc.date); got.Format(time.DateOnly) != tc.want {
			t.Errorf("%s: current until %v, want %s", tc.name, got, tc.want)
		}
	}
	// An API the changelog never names: only as of the source's date.
	if got := h.currentUntil(sdkServiceDir+"unheard", "", day("2026-09-01")); !got.Equal(day("2026-09-01")) {
		t.Errorf("unheard: %v", got)
	}
	if _, err := parseHistory([]byte("no headings\n")); err == nil {
		t.Error("no release heading: no error")
	}
}

// TestParseHistoryUnlisted checks that a note many modules share in one
// release, unknown to sdkWideNotes, is counted as a model change and
// reported.
func TestParseHistoryUnlisted(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Release (2026-08-01)\n")
	for i := range 25 {
		fmt.Fprintf(&b, "* `github.com/aws/aws-sdk-go-v2/service/s%d`: [v1.1.0](x)\n  * **Feature**: Regenerated every client.\n", i)
	}
	h, err := parseHistory([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.unlisted) != 1 || !strings.Contains(h.unlisted[0], "Regenerated every client. (25 modules, 2026-08-01)") {
		t.Errorf("unlisted %v", h.unlisted)
	}
	if rs := h.modules[sdkServiceDir+"s3"]; len(rs) != 1 || !rs[0].model {
		t.Errorf("s3 releases %+v", rs)
	}
}

func TestCombine(t *testing.T) {
	h, err := parseHistory([]byte(changelog))
	if err != nil {
		t.Fatal(err)
	}
	prefixes := map[string]bool{"demo": true, "aws-marketplace": true, "security-agent": true, "alpha": true, "beta": true}
	mods := []*sdkModule{
		{lockedModule: lockedModule{Path: sdkServiceDir + "demo", Version: "v1.2.0", Time: day("2026-06-03")},
			Operations: []string{"GetThing"}, SigningName: "demo"},
		{lockedModule: lockedModule{Path: sdkServiceDir + "marketplacecatalog", Version: "v1.0.0", Time: day("2026-11-01")},
			Operations: []string{"DescribeEntity"}, SigningName: "aws-marketplace"},
		{lockedModule: lockedModule{Path: sdkServiceDir + "twosided", Version: "v1.0.0", Time: day("2026-11-01")},
			Operations: []string{"A"}, SigningName: "alpha"},
		{lockedModule: lockedModule{Path: sdkServiceDir + "stray", Version: "v1.0.0", Time: day("2026-11-01")},
			Operations: []string{"S"}, SigningName: "nowhere"},
	}
	clients := []*jsClient{
		// demo's client, newer than its Go module and with an operation
		// the Go SDK leaves out.
		{lockedClient: lockedClient{Name: jsScope + "demo", Date: day("2026-06-04")},
			Operations: []string{"GetThing", "StreamThing"}, SigningName: "demo", ServiceID: "Demo"},
		{lockedClient: lockedClient{Name: jsScope + "two-sided", Date: day("2026-11-01")},
			Operations: []string{"B"}, SigningName: "beta", ServiceID: "Two Sided"},
	}
	goMissing := []string{sdkServiceDir + "demoruntime", sdkServiceDir + "marketplacediscovery", sdkServiceDir + "securityagent", sdkServiceDir + "continuum", sdkServiceDir + "iamtoolbox"}
	jsMissing := []missingClient{{Name: jsScope + "demo-legacy", SigningName: "legacy"}, {Name: jsScope + "beta-data", SigningName: "beta"}}
	so := combine(h, mods, goMissing, clients, jsMissing, prefixes)

	if got := strings.Join(so.ops["demo"], ","); got != "GetThing,StreamThing" {
		t.Errorf("demo operations %s", got)
	}
	// The client of 2026-06-04 and the module of 2026-06-03 both hold
	// demo's operations until its model changes on 2026-10-01.
	if got := so.dates["demo"].Format(time.DateOnly); got != "2026-10-01" {
		t.Errorf("demo date %s", got)
	}
	if so.ops["alpha"][0] != "A" || so.ops["beta"][0] != "B" || len(so.split) != 1 || !strings.Contains(so.split[0], "twosided") {
		t.Errorf("two-sided API: alpha %v beta %v split %v", so.ops["alpha"], so.ops["beta"], so.split)
	}
	if len(so.unmatched) != 1 || !strings.Contains(so.unmatched[0], "stray") {
		t.Errorf("unmatched %v", so.unmatched)
	}
	for p, want := range map[string]string{
		"demo":            "demoruntime",          // its name starts with demo's
		"aws-marketplace": "marketplacediscovery", // shares "marketplace" with marketplacecatalog
		"security-agent":  "securityagent",        // the prefix of its own name
		"beta":            "betadata",             // the signing name of its v2 model
	} {
		if got := strings.Join(so.missing[p], ","); got != want {
			t.Errorf("%s missing %q, want %q", p, got, want)
		}
	}
	// demo-legacy signs as no prefix of the catalog; IAM Toolbox is
	// another service; continuum could be anything.
	if len(so.missing) != 4 || !slices.Equal(so.unattributed, []string{"continuum"}) {
		t.Errorf("missing %v, unattributed %v", so.missing, so.unattributed)
	}
}

func TestClientNames(t *testing.T) {
	l := &lock{Modules: []lockedModule{{Path: sdkServiceDir + "acmpca"}},
		Missing: []string{sdkServiceDir + "bedrockagent", sdkServiceDir + "newthing", sdkServiceDir + "gameliftstreams"}}
	goIDs := map[string]string{sdkServiceDir + "acmpca": "ACM PCA"}
	names, unnamed := clientNames(l, goIDs, []string{"Bedrock Agent", "ACM PCA", "Lex Runtime V2"}, []string{jsScope + "gameliftstreams"})
	want := []string{jsScope + "acm-pca", jsScope + "bedrock-agent", jsScope + "gameliftstreams", jsScope + "lex-runtime-v2"}
	if !slices.Equal(names, want) || !slices.Equal(unnamed, []string{"newthing"}) {
		t.Errorf("names %v unnamed %v", names, unnamed)
	}
}
