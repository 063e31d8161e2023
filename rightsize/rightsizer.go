package rightsize

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/policy"
	"github.com/tailor-sec/tailor/usage"
)

// Rightsizer suggests least-privilege policies for the principals of one
// usage index. It reads the index once, in New; its methods are safe for
// concurrent use, and it caches what principals share: parsed policy
// documents and the catalog expansion of each statement.
type Rightsizer struct {
	opts Options
	acts *actionIndex
	cov  *coverage
	rows map[string][]rowRef // call rows by principal ARN

	docs    sync.Map // parsed documents: label + text → *policy.Policy
	stmts   sync.Map // *policy.Statement → *stmtInfo
	reaches sync.Map // Resource patterns joined by NUL → bitset (see reach)

	formatsOnce sync.Once
	fmts        *formatIndex
}

// New prepares a Rightsizer for the index ix and the catalog cat. It reads
// the index's call rows (of every principal) and coverage rows, and maps
// every distinct call through the catalog once.
func New(cat *catalog.Catalog, ix *usage.Index, opts Options) (*Rightsizer, error) {
	if opts.Resources != "" {
		if _, err := ParseResourceMode(string(opts.Resources)); err != nil {
			return nil, err
		}
	}
	if !opts.Since.IsZero() && !opts.Until.IsZero() && !opts.Since.Before(opts.Until) {
		return nil, fmt.Errorf("%w: since %s is not before until %s", ErrOptions, opts.Since, opts.Until)
	}
	rs := &Rightsizer{
		opts: opts,
		acts: newActionIndex(cat),
		rows: map[string][]rowRef{},
	}
	mappings := map[mapKey]*mapped{}
	var cov []*usage.Row
	ix.Scan(usage.Query{Kinds: []usage.Kind{usage.KindCall, usage.KindPending, usage.KindCoverage}}, func(r *usage.Row) {
		if r.Kind == usage.KindCoverage {
			cov = append(cov, r)
			return
		}
		k := mapKey{r.EventSource, r.EventName, r.RequestParams}
		m, ok := mappings[k]
		if !ok {
			var params []string
			if r.RequestParams != "" {
				params = strings.Split(r.RequestParams, ",")
			}
			m = rs.acts.mapped(cat.Map(r.EventSource, r.EventName, params))
			mappings[k] = m
		}
		rs.rows[r.Principal] = append(rs.rows[r.Principal], rowRef{r, m})
	})
	rs.cov = newCoverage(&ix.Meta, cov, opts.Since, opts.Until)
	return rs, nil
}

// Window returns the window of the index and options, and what the logs
// held in it, over all accounts.
func (rs *Rightsizer) Window() Window { return rs.cov.window("") }

// Catalog returns the catalog view the rightsizer expands actions with:
// the one to pass to policy.Covers to check a suggestion again.
func (rs *Rightsizer) Catalog() policy.Catalog { return rs.acts }

// Suggest builds, verifies and returns the suggestion for one principal.
// A suggestion that fails verification is never returned: the error is a
// *VerifyError with the counterexample. When narrowing resources
// (ResourcesObserved or ResourcesGeneralize) gives a suggestion that
// cannot be proved to grant nothing new, Suggest falls back to the
// statements' own resources and says so in Notes.
func (rs *Rightsizer) Suggest(ctx context.Context, s *Subject) (*Suggestion, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o := rs.observe(rs.rows[s.ARN])
	mode := rs.opts.resources()
	sug, err := rs.build(s, o, mode)
	var ve *VerifyError
	if mode != ResourcesKeep && errors.As(err, &ve) && ve.Check == CheckNoNewAccess {
		sug, err = rs.build(s, o, ResourcesKeep)
		if err == nil {
			sug.Notes = append(sug.Notes, fmt.Sprintf("resources %s could not be proved within today's grants (%s): the statements keep their own resources",
				mode, ve.Counterexample))
		}
	}
	return sug, err
}

// Result is the outcome for one subject of SuggestAll.
type Result struct {
	Subject    *Subject
	Suggestion *Suggestion
	Err        error
}

// SuggestAll runs Suggest for every subject, Options.Workers at a time,
// and returns the results in the order of subjects. It stops starting new
// work when ctx is cancelled; the results not reached carry ctx's error.
func (rs *Rightsizer) SuggestAll(ctx context.Context, subjects []*Subject) []Result {
	out := make([]Result, len(subjects))
	workers := rs.opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				sug, err := rs.Suggest(ctx, subjects[i])
				out[i] = Result{Subject: subjects[i], Suggestion: sug, Err: err}
			}
		}()
	}
	for i := range subjects {
		if ctx.Err() != nil {
			out[i] = Result{Subject: subjects[i], Err: ctx.Err()}
			continue
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// stmtInfo is what the rightsizer keeps about one statement of a policy.
type stmtInfo struct {
	acts    bitset   // catalog actions it covers
	unknown []string // actions it names that the catalog does not know
	// probe is an Allow-all policy with the statement's Resource or
	// NotResource element: it tells which resources the statement
	// covers. Nil when the statement has neither (every resource).
	probe *policy.Policy
	// vars: its Resource or NotResource holds policy variables.
	vars bool
}

func (rs *Rightsizer) stmt(p *policy.Policy, st *policy.Statement) *stmtInfo {
	if v, ok := rs.stmts.Load(st); ok {
		return v.(*stmtInfo)
	}
	info := &stmtInfo{}
	info.acts, info.unknown = rs.acts.expand(st)
	if len(st.NotResource) == 0 && len(st.Resource) > 0 && p.Version == policy.Version2012 {
		if reach := rs.reach(st.Resource); reach != nil {
			info.acts = info.acts.clone()
			info.acts.and(reach)
		}
	}
	if len(st.Resource) > 0 || len(st.NotResource) > 0 {
		info.probe = &policy.Policy{Version: p.Version, Statements: []policy.Statement{{
			Effect: policy.Allow, Action: []string{"*"}, Resource: st.Resource, NotResource: st.NotResource,
		}}}
		info.probe.Compile()
		for _, r := range append(st.Resource[:len(st.Resource):len(st.Resource)], st.NotResource...) {
			if strings.Contains(r, "${") {
				info.vars = p.Version == policy.Version2012
			}
		}
	}
	v, _ := rs.stmts.LoadOrStore(st, info)
	return v.(*stmtInfo)
}

// contains reports whether the statement covers resource r (taken
// literally, so a folded "prefix*" is covered when the statement's
// patterns cover the prefix followed by '*').
func (info *stmtInfo) contains(r string) bool {
	if info.probe == nil {
		return true
	}
	d := policy.Evaluate(policy.Request{Action: "tailor:Probe", Resource: r, ContextComplete: true}, policy.PolicySet{Identity: []*policy.Policy{info.probe}})
	return d.Outcome == policy.Allowed
}
