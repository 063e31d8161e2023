package catalog

import (
	"slices"
	"strconv"
	"strings"
)

// MappedBy says how Map found an event's actions.
type MappedBy uint8

// The ways an event is mapped, in the order Map tries them (NoPermission is
// tried first).
const (
	// Unmapped: nothing known maps the event; it is counted and reported,
	// never guessed into a permission.
	Unmapped MappedBy = iota
	// ByOperations: the official Operations[].AuthorizedActions data.
	ByOperations
	// ByName: the action prefix:EventName exists.
	ByName
	// ByException: the project's table of known exceptions.
	ByException
	// NoPermission: the call needs no IAM permission at all (sign-in steps,
	// sts:GetCallerIdentity, AWS service events). This is not Unmapped.
	NoPermission
)

var mappedByNames = [...]string{"unmapped", "operations", "name", "exception", "no-permission"}

// String returns "unmapped", "operations", "name", "exception" or
// "no-permission".
func (m MappedBy) String() string {
	if int(m) < len(mappedByNames) {
		return mappedByNames[m]
	}
	return "MappedBy(" + strconv.Itoa(int(m)) + ")"
}

// Need is one IAM action a call needed or may have needed.
type Need struct {
	Action string // full name in canonical case: "s3:GetObjectVersion"
	// Reason is empty for an action the call always needs; otherwise the
	// situation that makes it needed ("a versionId in the request").
	Reason string
	// Params are the request parameters that make a conditional action
	// needed. For a resolved action, the first is the one present.
	Params []string
	// Replaces names the always-needed action this one takes the place of
	// when needed (s3:GetObjectVersion replaces s3:GetObject).
	Replaces string
}

// Mapping is what an event needed, as Map found it.
type Mapping struct {
	EventSource string
	EventName   string
	Prefix      string // the IAM service prefix of the event source
	Operation   string // the API operation: EventName without a version date ("ListDistributions2020_05_31")

	By MappedBy
	// Needed are the actions the call needed: the ones it always needs,
	// then conditional ones its request parameters resolved. Sorted by
	// action.
	Needed []Need
	// Possible are conditional actions the call may have needed: the
	// parameters that decide them were absent or are not logged. A
	// rightsizer keeps them as "possibly needed", not as used.
	Possible []Need
	// Note explains a NoPermission mapping or a detail of the mapping.
	Note string
}

// Mapped reports whether Map knew the event (By is not Unmapped).
func (m *Mapping) Mapped() bool { return m.By != Unmapped }

// Actions returns the full names of the needed actions.
func (m *Mapping) Actions() []string {
	out := make([]string, len(m.Needed))
	for i, n := range m.Needed {
		out[i] = n.Action
	}
	return out
}

// PossibleActions returns the full names of the possibly needed actions.
func (m *Mapping) PossibleActions() []string {
	out := make([]string, len(m.Possible))
	for i, n := range m.Possible {
		out[i] = n.Action
	}
	return out
}

// Map returns the IAM actions a CloudTrail event needed. eventSource and
// eventName are the record's ("s3.amazonaws.com", "GetObject"); params are
// the names of the request parameters present in the record, of those
// ConditionalParams lists (others are ignored), in any case.
//
// See the package documentation for the order of lookup and the rule that
// tells always-needed actions from conditional ones. Map never returns an
// action the catalog does not know.
func (c *Catalog) Map(eventSource, eventName string, params []string) Mapping {
	prefix := ServicePrefix(eventSource)
	op := c.operationName(prefix, eventName)
	m := Mapping{EventSource: eventSource, EventName: eventName, Prefix: prefix, Operation: op}
	if prefix == "" || op == "" {
		return m
	}
	key := prefix + ":" + strings.ToLower(op)
	if why, ok := noPermission[key]; ok {
		m.By, m.Note = NoPermission, why
		return m
	}
	ex, hasEx := exceptions[key]
	m.Note = ex.note

	var needed []string
	var conds []condAction
	if o, ok := c.ops[prefix][strings.ToLower(op)]; ok && len(o.AuthorizedActions) > 0 {
		m.By = ByOperations
		needed, conds = c.classify(prefix, op, o.AuthorizedActions, ex)
	} else if a, ok := c.actions[key]; ok {
		m.By = ByName
		needed = append([]string{a.FullName()}, ex.needed...)
		conds = slices.Clip(ex.conds) // resolve appends: never into the table
	} else if hasEx && (len(ex.needed) > 0 || len(ex.conds) > 0) {
		m.By = ByException
		needed, conds = ex.needed, slices.Clip(ex.conds)
	} else if v := apiGatewayVerb(op); prefix == "apigateway" && v != "" {
		m.By = ByException
		needed = []string{v}
	} else {
		m.Note = ""
		return m
	}
	c.resolve(&m, needed, conds, params)
	if len(m.Needed) == 0 && len(m.Possible) == 0 {
		// Every action named is missing from this catalog (an older one).
		m.By = Unmapped
		m.Note = ""
	}
	return m
}

// classify splits the actions the official data lists for an operation into
// the ones the call always needs and conditional ones.
func (c *Catalog) classify(prefix, op string, authorized []string, ex exception) (needed []string, conds []condAction) {
	own := prefix + ":" + strings.ToLower(op)
	for _, a := range authorized {
		if strings.ToLower(a) == own {
			needed = append(needed, a)
		}
	}
	for _, a := range ex.needed {
		if containsFold(authorized, a) && !containsFold(needed, a) {
			needed = append(needed, a)
		}
	}
	if len(needed) == 0 && prefix == "apigateway" {
		if v := apiGatewayVerb(op); v != "" && containsFold(authorized, v) {
			needed = append(needed, v)
		}
	}
	if len(needed) == 0 {
		// The one action of the operation's own service that no
		// conditional rule claims.
		var rest []string
		for _, a := range authorized {
			if p, _, _ := strings.Cut(a, ":"); strings.EqualFold(p, prefix) {
				if _, specific := genericCond(a, nil); !specific {
					rest = append(rest, a)
				}
			}
		}
		if len(rest) == 1 {
			needed = rest
		}
	}
	for _, a := range authorized {
		if containsFold(needed, a) {
			continue
		}
		cond := condAction{action: a}
		for _, x := range ex.conds {
			if strings.EqualFold(x.action, a) {
				cond = x
			}
		}
		conds = append(conds, cond)
	}
	return needed, conds
}

// resolve fills m.Needed and m.Possible from the always-needed actions and
// the conditional ones, given the request parameters present.
func (c *Catalog) resolve(m *Mapping, needed []string, conds []condAction, params []string) {
	seen := make(map[string]bool)
	for _, a := range needed {
		if act, ok := c.Action(a); ok && !seen[strings.ToLower(a)] {
			seen[strings.ToLower(a)] = true
			m.Needed = append(m.Needed, Need{Action: act.FullName()})
		}
	}
	// The ...Version variant of an S3 object action, for a versionId.
	if m.Prefix == "s3" {
		for _, n := range m.Needed {
			if v, ok := c.versionVariant(n.Action); ok && !containsCond(conds, v) {
				conds = append(conds, condAction{action: v})
			}
		}
	}
	if m.By != ByOperations {
		for _, x := range c.genericConds(m.Prefix, m.Operation, m.Needed) {
			if !containsCond(conds, x.action) {
				conds = append(conds, x)
			}
		}
	}
	for _, x := range paramNeeds[m.Prefix] {
		if !containsCond(conds, x.action) {
			x.onlyIfParam = true
			conds = append(conds, x)
		}
	}
	var replaced []string
	for _, x := range conds {
		act, ok := c.Action(x.action)
		if !ok || seen[strings.ToLower(x.action)] {
			continue
		}
		n := c.need(act, x, m.Needed)
		if p, ok := firstParam(n.Params, params); ok {
			n.Params = append([]string{p}, slices.DeleteFunc(slices.Clone(n.Params), func(s string) bool { return s == p })...)
			m.Needed = append(m.Needed, n)
			if n.Replaces != "" {
				replaced = append(replaced, n.Replaces)
			}
		} else if !x.onlyIfParam {
			m.Possible = append(m.Possible, n)
		}
		seen[strings.ToLower(x.action)] = true
	}
	m.Needed = slices.DeleteFunc(m.Needed, func(n Need) bool { return n.Reason == "" && slices.Contains(replaced, n.Action) })
	byAction := func(a, b Need) int { return strings.Compare(a.Action, b.Action) }
	slices.SortFunc(m.Needed, byAction)
	slices.SortFunc(m.Possible, byAction)
}

// writeVerbs start the names of operations that may hand a role to the
// service.
var writeVerbs = []string{"Create", "Update", "Modify", "Put", "Start", "Run", "Register", "Send", "Restore", "Associate", "Enable", "Set"}

// genericConds returns the conditional actions general rules give a call,
// used only without official operation data:
//
//   - a call carrying tags needs its service's generic tagging action
//     (when the service has exactly one of TagResource, AddTagsToResource,
//     AddTags), and a Create<X> call the action Tag<Y> for the longest Y
//     that ends X (CreateLogGroup: logs:TagLogGroup; CreateVirtualMFADevice:
//     iam:TagMFADevice): services authorize tags on create with them;
//   - a write call (writeVerbs) with a role parameter needs iam:PassRole;
//   - an S3 call through an S3 Object Lambda access point needs the
//     s3-object-lambda action of the same name as its S3 action;
//   - an Amazon Bedrock call authenticated with a Bedrock API key needs
//     bedrock:CallWithBearerToken.
//
// Rules keyed on parameters drop their action when none is present.
func (c *Catalog) genericConds(prefix, op string, needed []Need) []condAction {
	var out []condAction
	if !strings.Contains(op, "Tag") {
		var found []string
		for _, name := range []string{"TagResource", "AddTagsToResource", "AddTags"} {
			if a, ok := c.Action(prefix + ":" + name); ok {
				found = append(found, a.FullName())
			}
		}
		if len(found) == 1 {
			out = append(out, condAction{action: found[0], reason: "tags in the request (tag on create)", params: createTagParams, onlyIfParam: true})
		}
		if rest, ok := strings.CutPrefix(op, "Create"); ok {
			for i := range rest {
				if a, ok := c.Action(prefix + ":Tag" + rest[i:]); ok && rest[i] >= 'A' && rest[i] <= 'Z' {
					out = append(out, condAction{action: a.FullName(), reason: "tags in the request (tag on create)", params: createTagParams, onlyIfParam: true})
					break
				}
			}
		}
	}
	if prefix != "iam" && prefix != "sts" && slices.ContainsFunc(writeVerbs, func(v string) bool { return strings.HasPrefix(op, v) }) {
		out = append(out, condAction{action: "iam:PassRole", reason: "an IAM role passed to the service", params: roleParams, onlyIfParam: true})
	}
	if prefix == "s3" {
		for _, n := range needed {
			if _, name, _ := strings.Cut(n.Action, ":"); name != "" {
				if a, ok := c.Action("s3-object-lambda:" + name); ok {
					out = append(out, condAction{action: a.FullName()})
				}
			}
		}
	}
	if prefix == "bedrock" {
		if a, ok := c.Action("bedrock:CallWithBearerToken"); ok {
			out = append(out, condAction{action: a.FullName(), reason: "the call authenticated with an Amazon Bedrock API key"})
		}
	}
	return out
}

// need builds the Need of a conditional action: the table's reason and
// parameters where it gives them, else the generic rule's.
func (c *Catalog) need(act *Action, x condAction, needed []Need) Need {
	n := Need{Action: act.FullName(), Reason: x.reason, Params: x.params}
	g, _ := genericCond(act.FullName(), needed)
	if n.Reason == "" {
		n.Reason = g.reason
	}
	if n.Params == nil {
		n.Params = g.params
	}
	n.Params = slices.Clone(n.Params) // the tables are shared
	for _, nd := range needed {
		if v, ok := c.versionVariant(nd.Action); ok && v == act.FullName() {
			n.Replaces = nd.Action
			if x.reason == "" {
				n.Reason, n.Params = "a versionId in the request", versionParams
			}
		}
	}
	return n
}

// versionVariant returns the ...Version variant of an S3 object action
// ("s3:GetObjectAcl" → "s3:GetObjectVersionAcl") when the catalog has it.
func (c *Catalog) versionVariant(action string) (string, bool) {
	p, name, _ := strings.Cut(action, ":")
	i := strings.Index(name, "Object")
	if p != "s3" || i < 0 || strings.Contains(name, "Version") {
		return "", false
	}
	i += len("Object")
	a, ok := c.Action(p + ":" + name[:i] + "Version" + name[i:])
	if !ok {
		return "", false
	}
	return a.FullName(), true
}

// genericCond returns the reason and parameters of a conditional action by
// its kind, and whether a specific rule (not the default) applied.
func genericCond(action string, needed []Need) (condAction, bool) {
	p, name, _ := strings.Cut(action, ":")
	lname := strings.ToLower(name)
	switch {
	case strings.EqualFold(action, "iam:PassRole"):
		return condAction{reason: "an IAM role passed to the service", params: roleParams}, true
	case strings.EqualFold(action, "sts:SetSourceIdentity"):
		return condAction{reason: "a source identity in the request", params: []string{"sourceIdentity"}}, true
	case strings.EqualFold(action, "sts:SetContext"):
		return condAction{reason: "provided contexts in the request", params: []string{"providedContexts"}}, true
	case strings.EqualFold(action, "sts:TagSession"):
		return condAction{reason: "session tags in the request", params: []string{"tags", "transitiveTagKeys"}}, true
	case strings.HasPrefix(lname, "tag") || strings.HasPrefix(lname, "addtags") || lname == "createtags" ||
		strings.HasPrefix(lname, "put") && strings.HasSuffix(lname, "tagging"):
		return condAction{reason: "tags in the request", params: tagParams}, true
	case p == "s3" && strings.HasPrefix(lname, "put") && strings.HasSuffix(lname, "acl"):
		return condAction{reason: "an ACL in the request headers", params: aclParams}, true
	case p == "s3" && lname == "putobjectretention":
		return condAction{reason: "object lock retention in the request headers", params: retentionParams}, true
	case p == "s3" && lname == "putobjectlegalhold":
		return condAction{reason: "an object lock legal hold in the request headers", params: legalHoldParams}, true
	case p == "s3" && lname == "bypassgovernanceretention":
		return condAction{reason: "x-amz-bypass-governance-retention in the request", params: bypassParams}, true
	case p == "s3" && (lname == "putbucketobjectlockconfiguration" || lname == "putbucketversioning"):
		return condAction{reason: "object lock enabled on the new bucket", params: bucketLockParams}, true
	case p == "s3" && lname == "putbucketownershipcontrols":
		return condAction{reason: "object ownership in the request headers", params: ownershipParams}, true
	case p == "s3-object-lambda":
		return condAction{reason: "only through an S3 Object Lambda access point"}, true
	case p == "s3express":
		return condAction{reason: "only on an S3 directory bucket"}, true
	}
	for _, n := range needed {
		if np, _, _ := strings.Cut(n.Action, ":"); !strings.EqualFold(np, p) {
			continue
		}
		return condAction{reason: "listed by AWS for this operation; not every call needs it"}, false
	}
	if len(needed) > 0 {
		return condAction{reason: "an action of another service (" + p + ") the call may use"}, false
	}
	return condAction{reason: "listed by AWS for this operation; which one a call needs depends on the request"}, false
}

func firstParam(want, have []string) (string, bool) {
	for _, w := range want {
		for _, h := range have {
			if strings.EqualFold(w, h) {
				return w, true
			}
		}
	}
	return "", false
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

func containsCond(list []condAction, action string) bool {
	return slices.ContainsFunc(list, func(x condAction) bool { return strings.EqualFold(x.action, action) })
}
