package policy

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Request is one API request to decide: who asks to do what on which
// resource, and the request context.
type Request struct {
	// Action is the IAM action, "s3:GetObject". Case does not matter.
	Action string
	// Resource is the ARN of the resource, or "*" for actions that take no
	// resource. Empty means "*".
	Resource string
	// Caller fills the aws:Principal* and aws:user* context keys.
	Caller Caller
	// Time fills aws:CurrentTime and aws:EpochTime when not zero.
	Time time.Time
	// Context holds the request's condition keys and their values. Key
	// names are matched without regard to case; a key with several values
	// is multivalued (aws:TagKeys); a key given with no value is absent.
	// Values given here override those derived from Caller and Time.
	Context map[string][]string
	// ContextComplete says that Context, Caller and Time hold every key the
	// request carries: a key not given is absent, and conditions on it are
	// decided as AWS decides them (false, or true for negated operators and
	// ForAllValues). When false, the default, a condition on a key not
	// given is unknown, except for Null and ...IfExists operators and
	// policy variables with a default, which treat it as absent.
	ContextComplete bool
}

// Caller describes the principal making a request. Empty fields fill no
// context key.
type Caller struct {
	ARN      string            // aws:PrincipalArn
	Account  string            // aws:PrincipalAccount; derived from ARN when empty
	UserID   string            // aws:userid
	Username string            // aws:username
	Type     string            // aws:PrincipalType: User, AssumedRole, FederatedUser, Account
	Tags     map[string]string // aws:PrincipalTag/<key>
}

// PolicySet is the policies that apply to one principal's request.
type PolicySet struct {
	// Identity holds the identity-based policies: inline, attached
	// managed, and group policies.
	Identity []*Policy
	// Boundary is the permissions boundary, if any.
	Boundary *Policy
	// SCPs holds the service control policies by level of the
	// organization (root, each OU down the path, the account). Every
	// level must allow a request; an empty SCPs means no organization
	// limits.
	SCPs [][]*Policy
}

// Outcome is the result of an evaluation.
type Outcome uint8

// The outcomes of [Evaluate].
const (
	// ImplicitDeny: no statement allows the request (or the boundary or
	// an SCP level does not).
	ImplicitDeny Outcome = iota
	// Allowed: an identity statement allows it, within the boundary and
	// every SCP level, and no statement denies it.
	Allowed
	// ExplicitDeny: a Deny statement applies.
	ExplicitDeny
	// Unknown: the decision depends on condition keys the request context
	// lacks; Decision.Missing lists them.
	Unknown
)

// String returns "allowed", "explicitly denied", "implicitly denied" or
// "unknown".
func (o Outcome) String() string {
	switch o {
	case Allowed:
		return "allowed"
	case ExplicitDeny:
		return "explicitly denied"
	case Unknown:
		return "unknown"
	}
	return "implicitly denied"
}

// Layer names the kind of policy a statement belongs to.
type Layer uint8

// The layers of a [PolicySet]. LayerNone marks an empty [StatementRef].
const (
	LayerNone Layer = iota
	LayerIdentity
	LayerBoundary
	LayerSCP
)

// String returns "identity", "boundary", "scp" or "none".
func (l Layer) String() string {
	switch l {
	case LayerIdentity:
		return "identity"
	case LayerBoundary:
		return "boundary"
	case LayerSCP:
		return "scp"
	}
	return "none"
}

// StatementRef names one statement of a policy set.
type StatementRef struct {
	Layer  Layer
	Level  int    // LayerSCP: the index of the level in PolicySet.SCPs
	Policy string // Policy.Name
	Index  int    // 0-based index of the statement in the policy
	Sid    string
}

// String names the statement for people: `identity policy "p.json"
// statement 2 (Sid "Read")`; it is empty for LayerNone.
func (r StatementRef) String() string {
	if r.Layer == LayerNone {
		return ""
	}
	var b strings.Builder
	b.WriteString(r.Layer.String())
	if r.Layer == LayerSCP {
		b.WriteString(" level ")
		b.WriteString(strconv.Itoa(r.Level))
	}
	b.WriteString(" policy ")
	b.WriteString(strconv.Quote(r.Policy))
	b.WriteString(" statement ")
	b.WriteString(strconv.Itoa(r.Index))
	if r.Sid != "" {
		b.WriteString(" (Sid ")
		b.WriteString(strconv.Quote(r.Sid))
		b.WriteString(")")
	}
	return b.String()
}

// Decision is the result of [Evaluate].
type Decision struct {
	Outcome Outcome
	// Statement is the statement that decided: the Deny statement for
	// ExplicitDeny, the identity statement that allows for Allowed. It is
	// empty (LayerNone) otherwise.
	Statement StatementRef
	// Refused is, for ImplicitDeny, the layer that allows nothing here:
	// identity when no identity statement allows the request, boundary or
	// scp when those do not. An implicit deny may hide an unknown deny
	// statement; the request is refused either way.
	Refused Layer
	// RefusedLevel is the SCP level that refused, when Refused is
	// LayerSCP.
	RefusedLevel int
	// Missing lists, for Unknown, the condition keys (and policy
	// variables) the context lacked, as written in the policies, sorted
	// and without duplicates (ignoring case).
	Missing []string
	// Undecided lists, for Unknown, the statements whose conditions could
	// not be decided and that would change the outcome.
	Undecided []StatementRef
	// Exempt is true when the action needs no permission and no policy
	// can deny it (sts:GetCallerIdentity): the Outcome is then Allowed
	// with no deciding Statement.
	Exempt bool
}

// exempt reports whether action needs no permission, so that even an
// explicit Deny does not block it. The STS API Reference says of
// GetCallerIdentity: "No permissions are required to perform this
// operation. If an administrator attaches a policy to your identity that
// explicitly denies access to the sts:GetCallerIdentity action, you can
// still perform this operation."
func exempt(action string) bool {
	return strings.EqualFold(action, "sts:GetCallerIdentity")
}

// tri is a three-valued truth value.
type tri uint8

const (
	triFalse tri = iota
	triTrue
	triUnknown
	// triUnresolved is matchWithVars's report of a variable that does
	// not resolve; it never leaves matchResource.
	triUnresolved
)

func and(a, b tri) tri {
	if a == triFalse || b == triFalse {
		return triFalse
	}
	if a == triUnknown || b == triUnknown {
		return triUnknown
	}
	return triTrue
}

func or(a, b tri) tri {
	if a == triTrue || b == triTrue {
		return triTrue
	}
	if a == triUnknown || b == triUnknown {
		return triUnknown
	}
	return triFalse
}

func not(a tri) tri {
	switch a {
	case triTrue:
		return triFalse
	case triFalse:
		return triTrue
	}
	return a
}

// evaluator holds the state of one evaluation.
type evaluator struct {
	req     Request
	missing []string
}

// Evaluate decides req against set in AWS's order: an explicit deny in any
// policy wins; otherwise the request is allowed only if an identity policy
// allows it, the boundary (if any) allows it and every SCP level (if any)
// allows it. Resource-based and session policies are not modelled. An
// action that needs no permission (sts:GetCallerIdentity) is always
// allowed, whatever the policies say; the Decision is then Exempt.
//
// Evaluate does not modify its arguments and is safe for concurrent use. It
// allocates only when a condition needs a derived context value or the
// outcome is Unknown.
func Evaluate(req Request, set PolicySet) Decision {
	if exempt(req.Action) {
		return Decision{Outcome: Allowed, Exempt: true}
	}
	if req.Resource == "" {
		req.Resource = "*"
	}
	ev := evaluator{req: req}
	var undecided []StatementRef
	var undecidedMissing int

	// Denies first: any layer.
	var deny StatementRef
	denyIn := func(layer Layer, lvl int, p *Policy) bool {
		if p == nil {
			return false
		}
		c := p.compiledForm()
		for i := range c.stmts {
			s := &c.stmts[i]
			if !s.deny {
				continue
			}
			mark := len(ev.missing)
			switch ev.applies(s) {
			case triTrue:
				ev.missing = ev.missing[:mark]
				deny = ref(layer, lvl, p, s)
				return true
			case triUnknown:
				undecided = append(undecided, ref(layer, lvl, p, s))
			default:
				ev.missing = ev.missing[:mark]
			}
		}
		return false
	}
	found := false
	for _, p := range set.Identity {
		if found = denyIn(LayerIdentity, 0, p); found {
			break
		}
	}
	if !found {
		found = denyIn(LayerBoundary, 0, set.Boundary)
	}
	for lvl, ps := range set.SCPs {
		for _, p := range ps {
			if found {
				break
			}
			found = denyIn(LayerSCP, lvl, p)
		}
	}
	if found {
		return Decision{Outcome: ExplicitDeny, Statement: deny}
	}
	undecidedMissing = len(ev.missing)
	denyUndecided := len(undecided)

	// Allows: identity, boundary, each SCP level.
	allowIn := func(layer Layer, lvl int, ps []*Policy) (tri, StatementRef, []StatementRef) {
		var unk []StatementRef
		for _, p := range ps {
			if p == nil {
				continue
			}
			c := p.compiledForm()
			for i := range c.stmts {
				s := &c.stmts[i]
				if s.deny {
					continue
				}
				mark := len(ev.missing)
				switch ev.applies(s) {
				case triTrue:
					ev.missing = ev.missing[:mark]
					return triTrue, ref(layer, lvl, p, s), nil
				case triUnknown:
					unk = append(unk, ref(layer, lvl, p, s))
				default:
					ev.missing = ev.missing[:mark]
				}
			}
		}
		if len(unk) > 0 {
			return triUnknown, StatementRef{}, unk
		}
		return triFalse, StatementRef{}, nil
	}

	d := Decision{}
	allowed := triTrue
	var unkAllow []StatementRef
	note := func(layer Layer, lvl int, t tri, mark int, unk []StatementRef) {
		switch t {
		case triFalse:
			if allowed != triFalse {
				d.Refused, d.RefusedLevel = layer, lvl
			}
			allowed = triFalse
			ev.missing = ev.missing[:mark]
		case triUnknown:
			if allowed == triTrue {
				allowed = triUnknown
			}
			unkAllow = append(unkAllow, unk...)
		}
	}
	mark := len(ev.missing)
	t, idRef, unk := allowIn(LayerIdentity, 0, set.Identity)
	note(LayerIdentity, 0, t, mark, unk)
	if set.Boundary != nil && allowed != triFalse {
		mark = len(ev.missing)
		t, _, unk = allowIn(LayerBoundary, 0, []*Policy{set.Boundary})
		note(LayerBoundary, 0, t, mark, unk)
	}
	for lvl, ps := range set.SCPs {
		if allowed == triFalse {
			break
		}
		mark = len(ev.missing)
		t, _, unk = allowIn(LayerSCP, lvl, ps)
		note(LayerSCP, lvl, t, mark, unk)
	}

	switch {
	case allowed == triFalse:
		d.Outcome = ImplicitDeny
		return d
	case allowed == triUnknown || denyUndecided > 0:
		d.Outcome = Unknown
		d.Undecided = append(undecided, unkAllow...)
		if allowed == triTrue {
			ev.missing = ev.missing[:undecidedMissing]
		}
		d.Missing = dedupeKeys(ev.missing)
		return d
	}
	d.Outcome = Allowed
	d.Statement = idRef
	return d
}

func ref(layer Layer, lvl int, p *Policy, s *cstmt) StatementRef {
	return StatementRef{Layer: layer, Level: lvl, Policy: p.Name, Index: s.idx, Sid: s.st.Sid}
}

// dedupeKeys sorts keys and drops duplicates, ignoring case.
func dedupeKeys(keys []string) []string {
	if len(keys) == 0 {
		return nil
	}
	out := slices.Clone(keys)
	slices.SortFunc(out, func(a, b string) int {
		if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return slices.CompactFunc(out, strings.EqualFold)
}

// applies decides whether statement s applies to the request.
func (ev *evaluator) applies(s *cstmt) tri {
	if !s.matchAction(ev.req.Action) {
		return triFalse
	}
	r := ev.matchResource(s)
	if r == triFalse {
		return triFalse
	}
	return and(r, ev.conditions(s))
}

// matchAction reports whether the statement's Action (or NotAction) covers
// action, ignoring case.
func (s *cstmt) matchAction(action string) bool {
	m := false
	if s.byService != nil {
		m = s.matchIndexed(action)
	} else {
		for i := range s.actions {
			if s.actions[i].match(action, nil) {
				m = true
				break
			}
		}
	}
	return m != s.notAction
}

// matchIndexed matches action against the patterns of its service prefix
// and those with a wildcard service, without allocating.
func (s *cstmt) matchIndexed(action string) bool {
	for _, j := range s.wildService {
		if s.actions[j].match(action, nil) {
			return true
		}
	}
	svc, _, ok := strings.Cut(action, ":")
	if !ok || len(svc) > 64 {
		// Not service:action, or an odd prefix: try every pattern.
		for i := range s.actions {
			if s.actions[i].match(action, nil) {
				return true
			}
		}
		return false
	}
	var buf [64]byte
	b := buf[:len(svc)]
	for i := 0; i < len(svc); i++ {
		b[i] = lower(svc[i])
	}
	for _, j := range s.byService[string(b)] {
		if s.actions[j].match(action, nil) {
			return true
		}
	}
	return false
}

// matchResource decides the statement's Resource or NotResource element:
// whether some entry matches the request's resource (Resource), or none
// does (NotResource). An entry holding a policy variable that does not
// resolve matches no resource, and only that entry: the others still match
// (IAM User Guide, "IAM policy elements: Variables and tags", Policy
// variables with no value). So a NotResource entry that does not resolve
// excludes nothing. An entry whose variable was not given is unknown.
func (ev *evaluator) matchResource(s *cstmt) tri {
	if s.anyResource {
		return triTrue
	}
	res := ev.req.Resource
	m := triFalse
	for i := range s.resources {
		p := &s.resources[i]
		if p.vars == 0 {
			if p.match(res, nil) {
				m = triTrue
				break
			}
			continue
		}
		switch ev.matchWithVars(p, res) {
		case triTrue:
			m = triTrue
		case triUnknown:
			m = triUnknown
		}
		if m == triTrue {
			break
		}
	}
	if s.notResource {
		return not(m)
	}
	return m
}

// matchWithVars substitutes the pattern's variables from the request and
// matches s. It returns triUnresolved for a variable that does not
// resolve, triUnknown for one whose key was not given.
func (ev *evaluator) matchWithVars(p *pattern, s string) tri {
	var buf [4]string
	vals := buf[:0]
	if p.vars > len(buf) {
		vals = make([]string, 0, p.vars)
	}
	for i := range p.toks {
		t := &p.toks[i]
		if t.kind != tVar {
			continue
		}
		v, r := ev.variable(t)
		switch r {
		case triFalse:
			return triUnresolved
		case triUnknown:
			return triUnknown
		}
		vals = append(vals, v)
	}
	if p.match(s, vals) {
		return triTrue
	}
	return triFalse
}

// variable resolves a policy variable. A multivalued key does not resolve
// (IAM User Guide, "IAM policy elements: Variables and tags").
func (ev *evaluator) variable(t *token) (string, tri) {
	vals, ok := ev.lookup(t.text, t.key)
	switch {
	case ok && len(vals) == 1:
		return vals[0], triTrue
	case t.hasDef:
		return t.def, triTrue
	case !ok && !ev.req.ContextComplete:
		ev.missing = append(ev.missing, t.key)
		return "", triUnknown
	}
	return "", triFalse
}

// lookup returns the values of a context key. lk is the key in lower case,
// raw as written in the policy.
func (ev *evaluator) lookup(lk, raw string) ([]string, bool) {
	ctx := ev.req.Context
	if v, ok := ctx[raw]; ok {
		return v, true
	}
	if v, ok := ctx[lk]; ok {
		return v, true
	}
	for k, v := range ctx {
		if strings.EqualFold(k, raw) {
			return v, true
		}
	}
	return ev.derived(lk)
}

// derived returns the context keys Evaluate derives from Caller and Time.
func (ev *evaluator) derived(lk string) ([]string, bool) {
	c := ev.req.Caller
	one := func(s string) ([]string, bool) {
		if s == "" {
			return nil, false
		}
		return []string{s}, true
	}
	switch lk {
	case "aws:principalarn":
		return one(c.ARN)
	case "aws:principalaccount":
		if c.Account == "" && c.ARN != "" {
			if parts := strings.SplitN(c.ARN, ":", 6); len(parts) == 6 {
				return one(parts[4])
			}
		}
		return one(c.Account)
	case "aws:userid":
		return one(c.UserID)
	case "aws:username":
		return one(c.Username)
	case "aws:principaltype":
		return one(c.Type)
	case "aws:currenttime":
		if ev.req.Time.IsZero() {
			return nil, false
		}
		return one(ev.req.Time.UTC().Format(time.RFC3339))
	case "aws:epochtime":
		if ev.req.Time.IsZero() {
			return nil, false
		}
		return one(strconv.FormatInt(ev.req.Time.Unix(), 10))
	}
	if tag, ok := strings.CutPrefix(lk, "aws:principaltag/"); ok {
		for k, v := range c.Tags {
			if strings.EqualFold(k, tag) {
				return []string{v}, true
			}
		}
	}
	return nil, false
}
