package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// evalFixture is one file of testdata/eval: policies and the requests to
// decide against them, with the outcome AWS documents.
type evalFixture struct {
	Source   string              `json:"source"`
	Identity []json.RawMessage   `json:"identity"`
	Boundary json.RawMessage     `json:"boundary"`
	SCPs     [][]json.RawMessage `json:"scps"`
	Requests []evalCase          `json:"requests"`
}

type evalCase struct {
	Name     string              `json:"name"`
	Action   string              `json:"action"`
	Resource string              `json:"resource"`
	Context  map[string][]string `json:"context"`
	Complete bool                `json:"complete"`
	Time     string              `json:"time"`
	Caller   struct {
		ARN      string            `json:"arn"`
		Username string            `json:"username"`
		Tags     map[string]string `json:"tags"`
	} `json:"caller"`
	Want      string   `json:"want"`
	Missing   []string `json:"missing"`
	Refused   string   `json:"refused"`
	RefusedLv int      `json:"refusedLevel"`
	Statement *struct {
		Layer  string `json:"layer"`
		Level  int    `json:"level"`
		Policy string `json:"policy"`
		Index  int    `json:"index"`
		Sid    string `json:"sid"`
	} `json:"statement"`
}

// loadSet parses the fixture's policies, named identity-N, boundary and
// scp-L-N.
func (f *evalFixture) loadSet(t *testing.T) PolicySet {
	t.Helper()
	parse := func(name string, raw json.RawMessage) *Policy {
		p, err := Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p.Name = name
		return p
	}
	var set PolicySet
	for i, raw := range f.Identity {
		set.Identity = append(set.Identity, parse("identity-"+itoa(i), raw))
	}
	if len(f.Boundary) > 0 && string(f.Boundary) != "null" {
		set.Boundary = parse("boundary", f.Boundary)
	}
	for l, lvl := range f.SCPs {
		var ps []*Policy
		for i, raw := range lvl {
			ps = append(ps, parse("scp-"+itoa(l)+"-"+itoa(i), raw))
		}
		set.SCPs = append(set.SCPs, ps)
	}
	return set
}

func itoa(i int) string { return string(rune('0' + i)) }

var outcomeNames = map[string]Outcome{
	"allowed":  Allowed,
	"explicit": ExplicitDeny,
	"implicit": ImplicitDeny,
	"unknown":  Unknown,
}

var layerNames = map[string]Layer{"": LayerIdentity, "identity": LayerIdentity, "boundary": LayerBoundary, "scp": LayerSCP}

// TestEvaluateDocumentedExamples decides the requests of every
// testdata/eval fixture. Each fixture holds an example from AWS's
// documentation (its "source") and the outcome the documentation gives.
func TestEvaluateDocumentedExamples(t *testing.T) {
	files, err := filepath.Glob("testdata/eval/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	total := 0
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var f evalFixture
			if err := json.Unmarshal(data, &f); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(f.Source, "https://docs.aws.amazon.com/") {
				t.Errorf("fixture does not cite the AWS page it comes from")
			}
			set := f.loadSet(t)
			for _, c := range f.Requests {
				total++
				t.Run(c.Name, func(t *testing.T) {
					req := Request{Action: c.Action, Resource: c.Resource, Context: c.Context, ContextComplete: c.Complete,
						Caller: Caller{ARN: c.Caller.ARN, Username: c.Caller.Username, Tags: c.Caller.Tags}}
					if c.Time != "" {
						tm, err := time.Parse(time.RFC3339, c.Time)
						if err != nil {
							t.Fatal(err)
						}
						req.Time = tm
					}
					want, ok := outcomeNames[c.Want]
					if !ok {
						t.Fatalf("bad want %q", c.Want)
					}
					d := Evaluate(req, set)
					if d.Outcome != want {
						t.Fatalf("outcome %v, want %v (decision %+v)", d.Outcome, want, d)
					}
					if c.Missing != nil && !slices.Equal(d.Missing, c.Missing) {
						t.Errorf("missing %q, want %q", d.Missing, c.Missing)
					}
					if want == Unknown && len(d.Missing) == 0 {
						t.Errorf("unknown without missing keys")
					}
					if want != Unknown && d.Missing != nil {
						t.Errorf("missing %q on a %v decision", d.Missing, d.Outcome)
					}
					if c.Refused != "" && (d.Refused != layerNames[c.Refused] || d.RefusedLevel != c.RefusedLv) {
						t.Errorf("refused by %v level %d, want %s level %d", d.Refused, d.RefusedLevel, c.Refused, c.RefusedLv)
					}
					if s := c.Statement; s != nil {
						got := d.Statement
						if got.Layer != layerNames[s.Layer] || got.Level != s.Level || got.Policy != s.Policy || got.Index != s.Index || got.Sid != s.Sid {
							t.Errorf("decided by %+v, want %+v", got, *s)
						}
					}
					if (want == Allowed || want == ExplicitDeny) && d.Statement.Layer == LayerNone {
						t.Errorf("%v without a deciding statement", d.Outcome)
					}
				})
			}
		})
	}
	t.Logf("%d documented requests in %d fixtures", total, len(files))
}
