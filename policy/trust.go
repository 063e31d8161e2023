package policy

import (
	"strings"

	"github.com/tailor-sec/tailor"
)

// TrusteeKind says what a principal in a trust policy names.
type TrusteeKind string

// The kinds of trustees.
const (
	// TrustAnyone is "Principal": "*" or {"AWS": "*"}: any principal of any
	// account, unless conditions narrow it.
	TrustAnyone TrusteeKind = "anyone"
	// TrustAccount is a whole account: "123456789012" or
	// "arn:aws:iam::123456789012:root". Any principal of that account its
	// own policies let assume the role can.
	TrustAccount TrusteeKind = "account"
	// TrustPrincipal is one role, user or session of an account, by ARN.
	TrustPrincipal TrusteeKind = "principal"
	// TrustService is an AWS service ("lambda.amazonaws.com").
	TrustService TrusteeKind = "service"
	// TrustFederated is an identity provider (SAML or OIDC), by ARN or name.
	TrustFederated TrusteeKind = "federated"
	// TrustCanonicalUser is an S3 canonical user id.
	TrustCanonicalUser TrusteeKind = "canonical-user"
)

// A Trustee is one principal an Allow statement of a trust policy lets
// assume the role.
type Trustee struct {
	Kind TrusteeKind
	// Principal is the value as written in the policy.
	Principal string
	// Account is the trusted account for TrustAccount and TrustPrincipal
	// (and for a federated provider given by ARN); "" otherwise.
	Account string
	// Statement is the statement's index in the policy; Sid its Sid.
	Statement int
	Sid       string
	// Actions are the statement's actions ("sts:AssumeRole", ...), or
	// NotAction complemented is reported as Action nil and NotAction set.
	Actions, NotActions []string
	// Conditions are the statement's condition clauses.
	Conditions []Clause
	// ExternalIDs are the values an sts:ExternalId condition requires.
	// They are secrets: never print them.
	ExternalIDs []string
}

// HasCondition reports whether the trustee's statement has a condition
// on the key (case-insensitive), by any operator.
func (t *Trustee) HasCondition(key string) bool {
	for _, c := range t.Conditions {
		if strings.EqualFold(c.Key, key) {
			return true
		}
	}
	return false
}

// Trustees returns the principals the Allow statements of a role's trust
// policy admit, one per principal value, in statement order. A
// NotPrincipal in an Allow statement admits everyone it does not name, and
// is reported as TrustAnyone.
func Trustees(p *Policy) []Trustee {
	var out []Trustee
	for i, st := range p.Statements {
		if st.Effect != Allow {
			continue
		}
		base := Trustee{Statement: i, Sid: st.Sid, Actions: st.Action, NotActions: st.NotAction, Conditions: st.Condition}
		for _, c := range st.Condition {
			if strings.EqualFold(c.Key, "sts:ExternalId") && !strings.HasPrefix(c.Operator, "Null") {
				base.ExternalIDs = append(base.ExternalIDs, c.Values...)
			}
		}
		add := func(kind TrusteeKind, value, account string) {
			t := base
			t.Kind, t.Principal, t.Account = kind, value, account
			out = append(out, t)
		}
		if st.NotPrincipal != nil {
			add(TrustAnyone, "NotPrincipal", "")
			continue
		}
		pr := st.Principal
		if pr == nil {
			continue
		}
		if pr.All {
			add(TrustAnyone, "*", "")
			continue
		}
		for _, v := range pr.AWS {
			kind, acct := classifyAWSPrincipal(v)
			add(kind, v, acct)
		}
		for _, v := range pr.Service {
			add(TrustService, v, "")
		}
		for _, v := range pr.Federated {
			add(TrustFederated, v, tailor.ARNAccount(v))
		}
		for _, v := range pr.CanonicalUser {
			add(TrustCanonicalUser, v, "")
		}
	}
	return out
}

// classifyAWSPrincipal reads a value of Principal.AWS.
func classifyAWSPrincipal(v string) (TrusteeKind, string) {
	switch {
	case v == "*":
		return TrustAnyone, ""
	case tailor.IsAccountID(v):
		return TrustAccount, v
	case strings.HasPrefix(v, "arn:"):
		acct := tailor.ARNAccount(v)
		if strings.HasSuffix(v, ":root") {
			return TrustAccount, acct
		}
		return TrustPrincipal, acct
	}
	// A unique id (AROA…, AIDA…): what a deleted principal's ARN turns
	// into in a trust policy.
	return TrustPrincipal, ""
}

// External reports whether the trustee admits principals outside the
// accounts in own: anyone, or an account or principal of another account.
// Services and identity providers are not external: a provider lives in
// the role's account, and AWS services act for it.
func (t *Trustee) External(own []string) bool {
	switch t.Kind {
	case TrustAnyone:
		return true
	case TrustAccount, TrustPrincipal:
		if t.Account == "" {
			return false // a unique id of a deleted principal: no one now
		}
		for _, a := range own {
			if a == t.Account {
				return false
			}
		}
		return true
	}
	return false
}
