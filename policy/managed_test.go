package policy

import (
	"encoding/json"
	"path"
	"sync"
	"testing"

	"github.com/tailor-sec/tailor/internal/shareddata"
)

// managedPolicy is one AWS managed policy from the shared corpus.
type managedPolicy struct {
	source string
	name   string
	doc    []byte
}

var (
	managedOnce sync.Once
	managedAll  []managedPolicy
)

// managedPolicies returns every AWS managed policy document of both corpus
// archives, read once per test binary.
func managedPolicies(tb testing.TB) []managedPolicy {
	dir := shareddata.Dir(tb, "iam", "managed-policies")
	managedOnce.Do(func() { managedAll = readManagedPolicies(tb, dir) })
	return managedAll
}

func readManagedPolicies(tb testing.TB, dir string) []managedPolicy {
	var out []managedPolicy
	shareddata.TarFiles(tb, path.Join(dir, "mamip-policies.tar.gz"), func(name string, data []byte) {
		if len(data) == 0 {
			// MAMIP keeps an empty file for some policies it could no
			// longer fetch; there is no document to test.
			tb.Logf("mamip %s: empty file, skipped", name)
			return
		}
		var v struct {
			PolicyVersion struct {
				Document json.RawMessage
			}
		}
		if err := json.Unmarshal(data, &v); err != nil {
			tb.Errorf("mamip %s: %v", name, err)
			return
		}
		out = append(out, managedPolicy{source: "mamip", name: path.Base(name), doc: v.PolicyVersion.Document})
	})
	shareddata.TarFiles(tb, path.Join(dir, "iam-dataset-managedpolicies.tar.gz"), func(name string, data []byte) {
		var v struct {
			Document json.RawMessage `json:"document"`
		}
		if err := json.Unmarshal(data, &v); err != nil {
			tb.Errorf("iam-dataset %s: %v", name, err)
			return
		}
		out = append(out, managedPolicy{source: "iam-dataset", name: path.Base(name), doc: v.Document})
	})
	return out
}

func TestManagedPoliciesParseRoundTripExpand(t *testing.T) {
	cat := csvCatalog(t)
	pols := managedPolicies(t)
	if len(pols) < 3000 {
		t.Fatalf("found %d managed policies, want all of both archives (> 3000)", len(pols))
	}
	var statements, actions, warnings, empty int
	for n, mp := range pols {
		p, err := Parse(mp.doc)
		if err != nil {
			t.Errorf("%s %s: %v", mp.source, mp.name, err)
			continue
		}
		out, err := p.MarshalJSON()
		if err != nil {
			t.Errorf("%s %s: marshal: %v", mp.source, mp.name, err)
			continue
		}
		q, err := Parse(out)
		if err != nil {
			t.Errorf("%s %s: reparse: %v\n%s", mp.source, mp.name, err, out)
			continue
		}
		if !p.Equal(q) {
			t.Errorf("%s %s: round trip changed the policy", mp.source, mp.name)
		}
		if raceEnabled && n%8 != 0 {
			continue // expansion under the race detector: an eighth
		}
		ws := p.Validate(cat)
		warnings += len(ws)
		for i := range p.Statements {
			statements++
			acts := StatementActions(cat, &p.Statements[i])
			actions += len(acts)
			if len(acts) > 0 {
				continue
			}
			// Only actions of services the catalog no longer has (DeepLens,
			// DeepRacer, ...) may expand to nothing, and Validate must say
			// so for each of them.
			empty++
			n := 0
			for _, w := range ws {
				if w.Statement == i && (w.Element == "Action" || w.Element == "NotAction") {
					n++
				}
			}
			if n != len(p.Statements[i].Action)+len(p.Statements[i].NotAction) {
				t.Errorf("%s %s statement %d expands to nothing but Validate warns about %d of its actions", mp.source, mp.name, i, n)
			}
		}
	}
	t.Logf("%d managed policies, %d statements (%d expand to nothing), %d expanded actions, %d warnings", len(pols), statements, empty, actions, warnings)
}

// TestManagedPoliciesCovers runs the set reasoning on real policies: every
// managed policy covers itself and a narrowed copy of itself (every other
// action kept, as a rightsizer would suggest), AdministratorAccess covers
// every one, and adding an action the policy never allows is caught.
func TestManagedPoliciesCovers(t *testing.T) {
	cat := csvCatalog(t)
	var admin *Policy
	var pols []*Policy
	for _, mp := range managedPolicies(t) {
		if mp.source != "mamip" {
			continue // the iam-dataset copies are the same documents
		}
		p, err := Parse(mp.doc)
		if err != nil {
			continue // reported by TestManagedPoliciesParseRoundTripExpand
		}
		p.Name = mp.name
		if mp.name == "AdministratorAccess" {
			admin = p
		}
		pols = append(pols, p)
	}
	if admin == nil {
		t.Fatal("AdministratorAccess not in the corpus")
	}
	var self, narrowed, wider, adminCov int
	for i, p := range pols {
		if raceEnabled && i%8 != 0 {
			continue // the race detector is slow; an eighth of the corpus
		}
		one := func(ps ...*Policy) PolicySet { return PolicySet{Identity: ps} }
		if c := Covers(cat, one(p), one(p)); c.Verdict != Covered {
			t.Errorf("%s does not cover itself: %v\n%s", p.Name, c.Verdict, gapList(c.Gaps[:min(3, len(c.Gaps))]))
			continue
		}
		self++
		if c := Covers(cat, one(admin), one(p)); c.Verdict != Covered && !hasDenyOrNot(p) {
			t.Errorf("AdministratorAccess does not cover %s: %v\n%s", p.Name, c.Verdict, gapList(c.Gaps[:min(3, len(c.Gaps))]))
		} else if c.Verdict == Covered {
			adminCov++
		}
		n := narrow(cat, p)
		if c := Covers(cat, one(p), one(n)); c.Verdict != Covered {
			t.Errorf("%s does not cover its narrowed copy: %v\n%s", p.Name, c.Verdict, gapList(c.Gaps[:min(3, len(c.Gaps))]))
		} else {
			narrowed++
		}
		extra := "iam:CreateUser"
		if Evaluate(Request{Action: extra, Resource: "arn:aws:iam::111122223333:user/x", ContextComplete: true}, one(p)).Outcome == Allowed ||
			mentionsAction(p, extra) {
			continue
		}
		w := narrow(cat, p)
		w.Statements = append(w.Statements, Statement{Effect: Allow, Action: []string{extra}, Resource: []string{"*"}})
		if err := w.Compile(); err != nil {
			t.Fatal(err)
		}
		c := Covers(cat, one(p), one(w))
		if c.Verdict != NotCovered {
			t.Errorf("%s plus %s: verdict %v, want not covered", p.Name, extra, c.Verdict)
			continue
		}
		wider++
	}
	t.Logf("%d policies: %d cover themselves, %d covered by AdministratorAccess, %d cover their narrowed copy, %d widened copies caught",
		len(pols), self, adminCov, narrowed, wider)
}

// narrow returns a copy of p whose Allow statements keep every other action
// they cover (at least one), with the same resources and conditions; Deny
// statements are kept as they are.
func narrow(cat Catalog, p *Policy) *Policy {
	q := &Policy{Version: p.Version, Name: p.Name + "-narrowed"}
	for i := range p.Statements {
		st := p.Statements[i]
		if st.Effect == Allow {
			acts := StatementActions(cat, &st)
			var keep []string
			for j := 0; j < len(acts); j += 2 {
				keep = append(keep, acts[j])
			}
			if len(keep) == 0 {
				continue
			}
			st.Action, st.NotAction = keep, nil
		}
		q.Statements = append(q.Statements, st)
	}
	if err := q.Compile(); err != nil {
		panic(err)
	}
	return q
}

func hasDenyOrNot(p *Policy) bool {
	for _, s := range p.Statements {
		if s.Effect == Deny {
			return true
		}
	}
	return false
}

// mentionsAction reports whether any statement of p matches action a, by
// Action or NotAction, whatever its effect.
func mentionsAction(p *Policy, a string) bool {
	c := p.compiledForm()
	for i := range c.stmts {
		if c.stmts[i].matchAction(a) {
			return true
		}
	}
	return false
}

// TestActionIndexAgreesWithScan checks the per-service action index of
// large statements against a plain scan of their patterns, for every
// catalog action (and a few odd ones) and the largest managed policies.
func TestActionIndexAgreesWithScan(t *testing.T) {
	cat := csvCatalog(t)
	actions := []string{"", "*", "s3", "S3:GETOBJECT", "s3:", ":x", "a:b:c"}
	for _, s := range cat.Services() {
		actions = append(actions, cat.Actions(s)...)
	}
	checked := 0
	for _, mp := range managedPolicies(t) {
		if mp.source != "mamip" {
			continue
		}
		p, err := Parse(mp.doc)
		if err != nil {
			continue
		}
		c := p.compiledForm()
		for i := range c.stmts {
			s := &c.stmts[i]
			if s.byService == nil {
				continue
			}
			checked++
			// A fifth of them (a fortieth under the race detector) keeps
			// the scan of 20,000 actions each quick.
			if checked%5 != 1 || (raceEnabled && checked%40 != 1) {
				continue
			}
			for _, a := range actions {
				scan := false
				for j := range s.actions {
					if s.actions[j].match(a, nil) {
						scan = true
						break
					}
				}
				if got := s.matchIndexed(a); got != scan {
					t.Fatalf("%s statement %d, action %q: index says %v, scan %v", mp.name, i, a, got, scan)
				}
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d indexed statements checked", checked)
	}
	t.Logf("%d indexed statements agree with the scan on %d actions", checked, len(actions))
}
