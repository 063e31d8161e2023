package review

import (
	"slices"
	"strings"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/policy"
)

// A door is one party a resource's policy lets in: an outside account,
// anyone, or an AWS service acting for some account. Which actions it
// may call is judged by evaluating the policy for a request of that party
// (see probe), not by reading the statements' text: a Deny with an
// aws:PrincipalOrgID condition closes what an Allow of "*" opened.
type door struct {
	key  string // the account, "*", or the service principal
	kind string // doorAnyone, doorAccount, doorService
	// principals are the Principal values that admit the party, as
	// written; stmts the Allow statements they stand in.
	principals []string
	stmts      []int
	// open are the actions the party may call on the resource whatever
	// the request holds; narrowed those it may call only when conditions
	// the review cannot decide hold (an address, a VPC endpoint), with
	// those condition keys. closedBy names the Deny statements that
	// refused actions an Allow statement grants the party.
	open     []string
	narrowed map[string][]string
	closedBy []int
	// orgs are the organization ids conditions compared the party's
	// against: the review takes them to be the owner's.
	orgs []string
}

// Door kinds.
const (
	doorAnyone  = "anyone"
	doorAccount = "account"
	doorService = "service"
)

// probeAccount is the account of the requests made for "anyone": an
// account of no one, outside the owner's and any named.
const probeAccount = "000000000000"

// probeOrg is the organization of the probing requests: an organization
// of no one.
const probeOrg = "o-tailorprobe0"

// whoKeys are the condition keys that say who makes a request, or from
// where: the review gives them the values of the party it probes, or
// leaves them unknown (the network keys), since the party cannot choose
// them. Every other key is the request's own (aws:SecureTransport,
// s3:x-amz-acl, kms:EncryptionContext:..., a principal's tags, which an
// outside account sets on its own principals): the party chooses it, so
// an Allow condition on it is taken to hold and a Deny statement with one
// to be avoidable.
var whoKeys = []string{
	"aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
	"aws:PrincipalIsAWSService", "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList",
	"aws:userid", "aws:username", "aws:FederatedProvider",
	"aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceOwner",
	"aws:SourceIp", "aws:VpcSourceIp", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceVpcArn",
	"kms:CallerAccount",
}

// networkKeys are who keys no probe fills: whether a party's request comes
// from an address or VPC endpoint is not known.
var networkKeys = []string{"aws:SourceIp", "aws:VpcSourceIp", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceVpcArn", "aws:userid", "aws:username", "aws:FederatedProvider"}

func isWhoKey(k string) bool {
	return slices.ContainsFunc(whoKeys, func(w string) bool { return strings.EqualFold(w, k) })
}

func isNetworkKey(k string) bool {
	return slices.ContainsFunc(networkKeys, func(w string) bool { return strings.EqualFold(w, k) })
}

// probe is one request context a door is evaluated with.
type probe struct {
	caller  policy.Caller
	context map[string][]string
}

// accountProbes returns the requests a principal of account acct makes
// directly (not through a service): one of an unnamed principal, and one
// of each principal of that account the policy names, so that a condition
// naming one role can hold.
func accountProbes(acct string, arns []string) []probe {
	mk := func(arn string) probe {
		return probe{
			caller: policy.Caller{ARN: arn, Account: acct},
			context: map[string][]string{
				"aws:PrincipalOrgID":        {probeOrg},
				"aws:PrincipalOrgPaths":     {probeOrg + "/r-tailorprobe/"},
				"aws:PrincipalIsAWSService": {"false"},
				"kms:CallerAccount":         {acct},
				// A direct call carries no source keys; a party that
				// needs them calls through a service, which the service
				// probe covers.
				"aws:PrincipalServiceName": nil, "aws:PrincipalServiceNamesList": nil,
				"aws:SourceAccount": nil, "aws:SourceArn": nil, "aws:SourceOrgID": nil,
				"aws:SourceOrgPaths": nil, "aws:SourceOwner": nil,
			},
		}
	}
	out := []probe{mk("arn:aws:iam::" + acct + ":role/tailor-probe")}
	for _, a := range arns {
		out = append(out, mk(a))
	}
	return out
}

// serviceProbe returns the request an AWS service makes for a resource of
// another account: the confused deputy's request.
func serviceProbe(service string) probe {
	prefix, _, _ := strings.Cut(service, ".")
	ctx := map[string][]string{
		"aws:PrincipalIsAWSService": {"true"},
		"aws:SourceAccount":         {probeAccount},
		"aws:SourceArn":             {"arn:aws:" + prefix + ":us-east-1:" + probeAccount + ":tailor-probe"},
		"aws:SourceOrgID":           {probeOrg},
		"aws:SourceOrgPaths":        {probeOrg + "/r-tailorprobe/"},
		"aws:SourceOwner":           {probeAccount},
		"aws:PrincipalAccount":      nil, "aws:PrincipalArn": nil, "aws:PrincipalOrgID": nil,
		"aws:PrincipalOrgPaths": nil, "kms:CallerAccount": nil,
	}
	if service != "" {
		ctx["aws:PrincipalServiceName"] = []string{service}
	}
	return probe{context: ctx}
}

// principalMatch says whether a Principal element admits a party: kind
// and key as in door, arn the probing principal's ARN ("" for services).
func principalMatch(p *policy.Principal, kind, key, arn string) bool {
	if p == nil {
		return false
	}
	if p.All || slices.Contains(p.AWS, "*") {
		return true
	}
	switch kind {
	case doorService:
		return slices.ContainsFunc(p.Service, func(s string) bool { return strings.EqualFold(s, key) || s == "*" })
	case doorAccount, doorAnyone:
		for _, v := range p.AWS {
			switch {
			case v == key, v == "arn:aws:iam::"+key+":root":
				return true
			case strings.HasPrefix(v, "arn:") && strings.HasSuffix(v, ":root") && tailor.ARNAccount(v) == key:
				return true // another partition
			case arn != "" && v == arn:
				return true
			}
		}
	}
	return false
}

// appliesTo says whether statement st concerns the party.
func appliesTo(st *policy.Statement, kind, key, arn string) bool {
	if st.NotPrincipal != nil {
		// A NotPrincipal statement applies to everyone it does not name.
		return !principalMatch(st.NotPrincipal, kind, key, arn)
	}
	return principalMatch(st.Principal, kind, key, arn)
}

// prepared returns the statements of p that concern the party, ready for
// evaluation: conditions on keys the party chooses are dropped from Allow
// statements (it makes them hold), and Deny statements with such a
// condition are dropped (it avoids them).
func prepared(p *policy.Policy, kind, key, arn string) *policy.Policy {
	q := &policy.Policy{Version: p.Version, Name: p.Name}
	for i := range p.Statements {
		st := &p.Statements[i]
		keep := cloneStatement(*st)
		keep.Principal, keep.NotPrincipal = nil, nil
		if !appliesTo(st, kind, key, arn) {
			// Keep the index: a statement that does not concern the
			// party allows nothing for it.
			keep.Effect = policy.Allow
			keep.Action, keep.NotAction = []string{"tailor:NotThisParty"}, nil
			keep.Condition = nil
			q.Statements = append(q.Statements, keep)
			continue
		}
		var conds []policy.Clause
		avoidable := false
		for _, c := range keep.Condition {
			if isWhoKey(c.Key) {
				conds = append(conds, c)
			} else {
				avoidable = true
			}
		}
		keep.Condition = conds
		if st.Effect == policy.Deny && avoidable {
			keep.Effect = policy.Allow
			keep.Action, keep.NotAction = []string{"tailor:AvoidableDeny"}, nil
			keep.Condition = nil
		}
		q.Statements = append(q.Statements, keep)
	}
	_ = q.Compile()
	return q
}

// resourceProbes returns the resources to evaluate a statement's grant
// on: the resource itself, and each Resource pattern of the statement
// with its wildcards filled in (an S3 object key), when it lies within
// the resource.
func resourceProbes(res *account.Resource, st *policy.Statement) []string {
	out := []string{res.ARN}
	for _, pat := range st.Resource {
		if pat == "*" || pat == res.ARN || strings.Contains(pat, "${") {
			continue
		}
		concrete := strings.NewReplacer("*", "tailor-probe", "?", "x").Replace(pat)
		if strings.HasPrefix(concrete, res.ARN) && !slices.Contains(out, concrete) {
			out = append(out, concrete)
		}
	}
	if len(st.NotResource) > 0 && res.Type == "AWS::S3::Bucket" {
		out = append(out, res.ARN+"/tailor-probe")
	}
	return out
}

// arnService returns the service field of an ARN.
func arnService(arn string) string {
	f := strings.SplitN(arn, ":", 4)
	if len(f) < 3 {
		return ""
	}
	return f[2]
}

// evaluateDoor decides, for each action an Allow statement grants the
// party on the resource, whether it may call it.
func (r *reviewer) evaluateDoor(res *account.Resource, p *policy.Policy, d *door, probes []probe) {
	service := arnService(res.ARN)
	type best struct {
		outcome policy.Outcome
		missing []string
		closed  []int
	}
	results := map[string]*best{}
	var order []string
	for _, i := range d.stmts {
		st := &p.Statements[i]
		var actions []string
		for _, a := range policy.StatementActions(r.cat, st) {
			if pre, _, _ := strings.Cut(a, ":"); strings.EqualFold(pre, service) {
				actions = append(actions, a)
			}
		}
		targets := resourceProbes(res, st)
		for _, pr := range probes {
			q := prepared(p, d.kind, d.key, pr.caller.ARN)
			for _, a := range actions {
				b := results[a]
				if b == nil {
					b = &best{outcome: policy.ImplicitDeny}
					results[a] = b
					order = append(order, a)
				}
				if b.outcome == policy.Allowed {
					continue
				}
				for _, target := range targets {
					dec := policy.Evaluate(policy.Request{Action: a, Resource: target, Caller: pr.caller, Context: pr.context}, policy.PolicySet{Identity: []*policy.Policy{q}})
					switch dec.Outcome {
					case policy.Allowed:
						b.outcome, b.missing = policy.Allowed, nil
					case policy.Unknown:
						if b.outcome != policy.Unknown {
							b.outcome = policy.Unknown
						}
						for _, k := range dec.Missing {
							if !slices.Contains(b.missing, k) {
								b.missing = append(b.missing, k)
							}
						}
					case policy.ExplicitDeny:
						if !slices.Contains(b.closed, dec.Statement.Index) {
							b.closed = append(b.closed, dec.Statement.Index)
						}
					}
					if b.outcome == policy.Allowed {
						break
					}
				}
			}
		}
	}
	d.narrowed = map[string][]string{}
	for _, a := range order {
		b := results[a]
		switch b.outcome {
		case policy.Allowed:
			d.open = append(d.open, a)
		case policy.Unknown:
			slices.Sort(b.missing)
			d.narrowed[a] = b.missing
		default:
			for _, i := range b.closed {
				if !slices.Contains(d.closedBy, i) {
					d.closedBy = append(d.closedBy, i)
				}
			}
		}
	}
	slices.Sort(d.open)
	slices.Sort(d.closedBy)
}

// resourceDoors returns the doors of a resource's policy: one per outside
// account, one for anyone, one per service principal, and one for "any
// service acting for another account" when a statement admits "*". Doors
// the policy keeps shut (every action denied, or conditions that only the
// owner's requests meet) are left out.
func (r *reviewer) resourceDoors(res *account.Resource, p *policy.Policy) []*door {
	doors := map[string]*door{}
	get := func(kind, key string) *door {
		k := kind + "|" + key
		d := doors[k]
		if d == nil {
			d = &door{key: key, kind: kind}
			doors[k] = d
		}
		return d
	}
	add := func(d *door, principal string, i int) {
		if !slices.Contains(d.principals, principal) {
			d.principals = append(d.principals, principal)
		}
		if !slices.Contains(d.stmts, i) {
			d.stmts = append(d.stmts, i)
		}
	}
	// arns are the principals of each account the policy names, in
	// Principal elements and aws:PrincipalArn conditions, with wildcards
	// filled in; anyARNs those whose account is itself a wildcard
	// ("arn:aws:iam::*:role/deployer"), which any account can match.
	// named are the outside accounts conditions name (aws:PrincipalAccount,
	// kms:CallerAccount, aws:PrincipalArn): a statement of "*" narrowed to
	// one of them is a door to that account, not to anyone.
	arns := map[string][]string{}
	var anyARNs, named []string
	fill := strings.NewReplacer("*", "tailor-probe", "?", "x")
	noteARN := func(v string) {
		f := strings.SplitN(v, ":", 6)
		if len(f) < 6 || strings.HasSuffix(v, ":root") {
			return
		}
		acct := f[4]
		if !tailor.IsAccountID(acct) {
			if strings.ContainsAny(acct, "*?") {
				f[4] = probeAccount
				if c := fill.Replace(strings.Join(f, ":")); !slices.Contains(anyARNs, c) {
					anyARNs = append(anyARNs, c)
				}
			}
			return
		}
		if c := fill.Replace(v); !slices.Contains(arns[acct], c) {
			arns[acct] = append(arns[acct], c)
		}
	}
	noteAccount := func(acct string) {
		if tailor.IsAccountID(acct) && !r.own[acct] && !slices.Contains(named, acct) {
			named = append(named, acct)
		}
	}
	for i := range p.Statements {
		st := &p.Statements[i]
		if st.Principal != nil {
			for _, v := range st.Principal.AWS {
				noteARN(v)
			}
		}
		for _, c := range st.Condition {
			switch {
			case strings.EqualFold(c.Key, "aws:PrincipalArn"):
				for _, v := range c.Values {
					noteARN(v)
					noteAccount(tailor.ARNAccount(v))
				}
			case strings.EqualFold(c.Key, "aws:PrincipalAccount"), strings.EqualFold(c.Key, "kms:CallerAccount"):
				for _, v := range c.Values {
					noteAccount(v)
				}
			}
		}
	}
	slices.Sort(named)
	for i := range p.Statements {
		st := &p.Statements[i]
		if st.Effect != policy.Allow {
			continue
		}
		if st.NotPrincipal != nil {
			add(get(doorAnyone, "*"), "NotPrincipal", i)
			continue
		}
		pr := st.Principal
		if pr == nil {
			continue
		}
		if pr.All || slices.Contains(pr.AWS, "*") {
			add(get(doorAnyone, "*"), "*", i)
			add(get(doorService, "*"), "*", i)
			for _, acct := range named {
				add(get(doorAccount, acct), "*", i)
			}
			continue
		}
		for _, v := range pr.AWS {
			acct := v
			if strings.HasPrefix(v, "arn:") {
				acct = tailor.ARNAccount(v)
			}
			if !tailor.IsAccountID(acct) {
				continue // a unique id: a deleted principal, no one now
			}
			if r.own[acct] {
				continue
			}
			add(get(doorAccount, acct), v, i)
		}
		for _, v := range pr.Service {
			add(get(doorService, strings.ToLower(v)), v, i)
		}
		if len(pr.CanonicalUser) > 0 {
			r.note("The policy of " + res.ARN + " grants an S3 canonical user: whose account that is cannot be told from the policy, so that grant was not judged.")
		}
	}
	var out []*door
	keys := make([]string, 0, len(doors))
	for k := range doors {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		d := doors[k]
		var probes []probe
		switch d.kind {
		case doorAnyone:
			probes = accountProbes(probeAccount, anyARNs)
		case doorAccount:
			probes = accountProbes(d.key, arns[d.key])
		case doorService:
			svc := d.key
			if svc == "*" {
				svc = ""
			}
			probes = []probe{serviceProbe(svc)}
		}
		r.evaluateDoor(res, p, d, probes)
		d.orgs = orgConditions(p)
		if len(d.open) == 0 && len(d.narrowed) == 0 {
			if len(d.orgs) > 0 {
				r.note("Resource policies that admit only organization " + strings.Join(d.orgs, ", ") +
					" (aws:PrincipalOrgID, aws:SourceOrgID) were taken to admit only your own accounts: tailor does not read the organization yet.")
			}
			continue
		}
		out = append(out, d)
	}
	// The "any service" door of a "*" statement says something only when
	// a service can get in where a principal cannot.
	var pub *door
	for _, d := range out {
		if d.kind == doorAnyone {
			pub = d
		}
	}
	if pub != nil {
		out = slices.DeleteFunc(out, func(d *door) bool { return d.kind == doorService && d.key == "*" })
	}
	return out
}

// orgConditions returns the organization ids the policy's conditions
// compare with.
func orgConditions(p *policy.Policy) []string {
	var out []string
	for i := range p.Statements {
		for _, c := range p.Statements[i].Condition {
			if strings.EqualFold(c.Key, "aws:PrincipalOrgID") || strings.EqualFold(c.Key, "aws:SourceOrgID") {
				for _, v := range c.Values {
					if !slices.Contains(out, v) {
						out = append(out, v)
					}
				}
			}
		}
	}
	slices.Sort(out)
	return out
}
