package rightsize_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/internal/shareddata"
	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/rightsize"
	"github.com/tailor-sec/tailor/usage"
)

const (
	own    = "111122223333"
	vendor = "444455556666"
)

// day0 is the first day of every scenario's window.
var day0 = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

func testCatalog(tb testing.TB) *catalog.Catalog {
	tb.Helper()
	cat, err := catalog.Embedded()
	if err != nil {
		tb.Fatal(err)
	}
	return cat
}

// call is one kind of API call of a scenario, made n times (default 1) on
// day (0-based from day0).
type call struct {
	day       int
	source    string // "s3" stands for s3.amazonaws.com
	name      string
	resources []string
	region    string // default us-east-1
	err       string // error code: "AccessDenied" for a refused call
	data      bool
	params    []string
	n         int
	principal string // default: the scenario's
}

// scenario is a principal, its policies and what the logs say.
type scenario struct {
	arn      string
	kind     string // "role" (default) or "user"
	policies []string
	boundary string
	// days is the length of the window; every day has logs except those
	// in gaps.
	days  int
	gaps  []int
	calls []call
	opts  rightsize.Options
}

func source(s string) string {
	if strings.Contains(s, ".") {
		return s
	}
	return s + ".amazonaws.com"
}

// index builds the usage index of a scenario through the public builder:
// one background record per day with logs (another principal's), and the
// calls.
func (sc *scenario) index(t testing.TB) *usage.Index {
	t.Helper()
	if sc.days == 0 {
		sc.days = 14
	}
	b := usage.NewBuilder(usage.BuilderOptions{})
	for d := 0; d < sc.days; d++ {
		if slices.Contains(sc.gaps, d) {
			continue
		}
		b.Add(&tailor.Event{Time: day0.AddDate(0, 0, d).Add(time.Hour), Account: own, Region: "us-east-1",
			Principal: "arn:aws:iam::" + own + ":user/someone-else", PrincipalType: tailor.IdentityIAMUser,
			EventSource: "sts.amazonaws.com", EventName: "GetCallerIdentity"}, false)
	}
	for i, c := range sc.calls {
		n := max(c.n, 1)
		region := c.region
		if region == "" {
			region = "us-east-1"
		}
		p := c.principal
		if p == "" {
			p = sc.arn
		}
		for k := 0; k < n; k++ {
			ev := &tailor.Event{
				Time:    day0.AddDate(0, 0, c.day).Add(time.Duration(2+i%20)*time.Hour + time.Duration(k)*time.Second),
				Account: own, Region: region, Principal: p, PrincipalType: tailor.IdentityAssumedRole, CallerAccount: vendor,
				EventSource: source(c.source), EventName: c.name, ErrorCode: c.err, Data: c.data,
				Resources: c.resources, RequestParams: c.params,
			}
			if sc.kind == "user" {
				ev.PrincipalType, ev.CallerAccount = tailor.IdentityIAMUser, own
			}
			b.Add(ev, true)
		}
	}
	return usage.Finish(usage.Meta{}, b)
}

// subject builds the Subject from policy files in testdata/policies, or
// from documents given inline (text starting with '{').
func (sc *scenario) subject(t testing.TB) *rightsize.Subject {
	t.Helper()
	kind := sc.kind
	if kind == "" {
		kind = "role"
	}
	s := &rightsize.Subject{ARN: sc.arn, Name: path.Base(sc.arn), Kind: kind, Account: own}
	for _, p := range sc.policies {
		s.Identity = append(s.Identity, loadPolicy(t, p))
	}
	if sc.boundary != "" {
		s.Boundary = loadPolicy(t, sc.boundary)
	}
	return s
}

func loadPolicy(t testing.TB, name string) *policy.Policy {
	t.Helper()
	data := []byte(name)
	if !strings.HasPrefix(name, "{") {
		var err error
		if data, err = os.ReadFile(filepath.Join("testdata", "policies", name)); err != nil {
			t.Fatal(err)
		}
	}
	p, err := policy.Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	p.Name = name
	return p
}

// run rightsizes the scenario's principal.
func (sc *scenario) run(t testing.TB) (*rightsize.Suggestion, *rightsize.Subject, error) {
	t.Helper()
	if sc.days == 0 {
		sc.days = 14
	}
	opts := sc.opts
	if opts.Since.IsZero() {
		opts.Since = day0
	}
	if opts.Until.IsZero() {
		opts.Until = day0.AddDate(0, 0, sc.days)
	}
	rs, err := rightsize.New(testCatalog(t), sc.index(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	s := sc.subject(t)
	sug, err := rs.Suggest(context.Background(), s)
	return sug, s, err
}

// suggestedActions returns the actions of the suggestion's Allow
// statements, as written.
func suggestedActions(sug *rightsize.Suggestion) []string {
	var out []string
	for _, p := range sug.Policies {
		for _, st := range p.Statements {
			if st.Effect == policy.Allow {
				out = append(out, st.Action...)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func actionNames(list []rightsize.Action) []string {
	var out []string
	for _, a := range list {
		out = append(out, a.Action)
	}
	return out
}

func findAction(list []rightsize.Action, name string) (rightsize.Action, bool) {
	for _, a := range list {
		if a.Action == name {
			return a, true
		}
	}
	return rightsize.Action{}, false
}

// sets returns the policy sets of today and of the suggestion.
func sets(sug *rightsize.Suggestion, s *rightsize.Subject) (current, suggested policy.PolicySet) {
	return policy.PolicySet{Identity: s.Identity, Boundary: s.Boundary}, policy.PolicySet{Identity: sug.Policies, Boundary: s.Boundary}
}

// allows evaluates a request against a set with a complete context.
func allows(set policy.PolicySet, action, resource string, ctx map[string][]string) bool {
	return policy.Evaluate(policy.Request{Action: action, Resource: resource, Context: ctx, ContextComplete: true}, set).Outcome == policy.Allowed
}

var (
	managedOnce sync.Once
	managedDocs map[string][]byte
)

// managedPolicy returns the document of an AWS managed policy from the
// shared corpus (MAMIP's get-policy-version output), read in place.
func managedPolicy(tb testing.TB, name string) *policy.Policy {
	tb.Helper()
	dir := shareddata.Dir(tb, "iam", "managed-policies")
	managedOnce.Do(func() {
		managedDocs = map[string][]byte{}
		shareddata.TarFiles(tb, filepath.Join(dir, "mamip-policies.tar.gz"), func(name string, data []byte) {
			var v struct {
				PolicyVersion struct{ Document json.RawMessage }
			}
			if json.Unmarshal(data, &v) == nil && len(v.PolicyVersion.Document) > 0 {
				managedDocs[path.Base(name)] = v.PolicyVersion.Document
			}
		})
	})
	doc, ok := managedDocs[name]
	if !ok {
		tb.Fatalf("managed policy %s not in the corpus", name)
	}
	p, err := policy.ParseEncoded(doc)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	p.Name = fmt.Sprintf("AWS managed policy %q", name)
	return p
}
