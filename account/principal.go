package account

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tailor-sec/tailor"
)

// PrincipalKind says whether a [Principal] is a user or a role.
type PrincipalKind string

// The kinds of principal.
const (
	KindUser PrincipalKind = "user"
	KindRole PrincipalKind = "role"
)

// Principal is an IAM user or role: exactly one of User and Role is set, as
// Kind says.
type Principal struct {
	Kind PrincipalKind
	User *User
	Role *Role
}

// ARN returns the principal's ARN.
func (p Principal) ARN() string {
	switch {
	case p.User != nil:
		return p.User.ARN
	case p.Role != nil:
		return p.Role.ARN
	}
	return ""
}

// Name returns the user or role name.
func (p Principal) Name() string {
	switch {
	case p.User != nil:
		return p.User.UserName
	case p.Role != nil:
		return p.Role.RoleName
	}
	return ""
}

// Principal finds a user or role. It accepts:
//
//   - an ARN: arn:aws:iam::111122223333:role/path/Name or .../user/Name;
//   - a role session ARN, arn:aws:sts::111122223333:assumed-role/Name/session,
//     which gives the role;
//   - "role/Name" or "user/Name";
//   - a bare name, matched case-insensitively against users and roles.
//
// It returns an error wrapping [ErrNotFound] when nothing matches, and one
// wrapping [ErrAmbiguous] when a bare name is both a user's and a role's.
func (s *Snapshot) Principal(nameOrARN string) (Principal, error) {
	q := strings.TrimSpace(nameOrARN)
	if a, ok := parseARN(q); ok {
		switch {
		case a.service == "iam" && strings.HasPrefix(a.resource, "user/"):
			if u := s.User(q); u != nil {
				return Principal{Kind: KindUser, User: u}, nil
			}
		case a.service == "iam" && strings.HasPrefix(a.resource, "role/"):
			if r := s.Role(q); r != nil {
				return Principal{Kind: KindRole, Role: r}, nil
			}
		case a.service == "sts" && strings.HasPrefix(a.resource, "assumed-role/"):
			name, _, _ := strings.Cut(strings.TrimPrefix(a.resource, "assumed-role/"), "/")
			if r := s.roleByNameOnly(name); r != nil && (s.accountID == "" || a.account == s.accountID) {
				return Principal{Kind: KindRole, Role: r}, nil
			}
		default:
			return Principal{}, fmt.Errorf("%w: %s is not the ARN of an IAM user, role or role session", ErrNotFound, q)
		}
		if s.accountID != "" && tailor.IsAccountID(a.account) && a.account != s.accountID {
			return Principal{}, fmt.Errorf("%w: %s is in account %s, the snapshot is of account %s", ErrNotFound, q, a.account, s.accountID)
		}
		return Principal{}, fmt.Errorf("%w: no user or role has ARN %s", ErrNotFound, q)
	}
	if name, ok := strings.CutPrefix(q, "role/"); ok {
		if r := s.Role(lastSegment(name)); r != nil {
			return Principal{Kind: KindRole, Role: r}, nil
		}
		return Principal{}, fmt.Errorf("%w: no role named %q", ErrNotFound, name)
	}
	if name, ok := strings.CutPrefix(q, "user/"); ok {
		if u := s.User(lastSegment(name)); u != nil {
			return Principal{Kind: KindUser, User: u}, nil
		}
		return Principal{}, fmt.Errorf("%w: no user named %q", ErrNotFound, name)
	}
	u, r := s.userByNameOnly(q), s.roleByNameOnly(q)
	switch {
	case u != nil && r != nil:
		return Principal{}, fmt.Errorf("%w: %q is both %s and %s; say user/%s or role/%s", ErrAmbiguous, q, u.ARN, r.ARN, q, q)
	case u != nil:
		return Principal{Kind: KindUser, User: u}, nil
	case r != nil:
		return Principal{Kind: KindRole, Role: r}, nil
	}
	return Principal{}, fmt.Errorf("%w: no user or role named %q", ErrNotFound, q)
}

func (s *Snapshot) userByNameOnly(name string) *User {
	if i, ok := s.userByName[strings.ToLower(name)]; ok {
		return s.users[i]
	}
	return nil
}

func (s *Snapshot) roleByNameOnly(name string) *Role {
	if i, ok := s.roleByName[strings.ToLower(name)]; ok {
		return s.roles[i]
	}
	return nil
}

// SourceKind says what part a policy document plays for a principal.
type SourceKind string

// The kinds of policy source.
const (
	SourceInline   SourceKind = "inline"   // embedded in the user, role or group
	SourceManaged  SourceKind = "managed"  // a managed policy attached to it
	SourceBoundary SourceKind = "boundary" // its permissions boundary
	SourceTrust    SourceKind = "trust"    // a role's trust policy
)

// Source says where a policy document came from.
type Source struct {
	Kind SourceKind
	// Name is the policy name; for a trust policy, "AssumeRolePolicyDocument".
	Name string
	// ARN is the managed policy's ARN; empty for inline and trust policies.
	ARN string
	// VersionID is the managed policy's default version, such as "v3".
	VersionID string
	// Owner is the ARN of the user, role or group the policy is embedded in
	// or attached to.
	Owner string
	// Group is the name of the group through which a user holds the
	// policy; empty for policies of the principal itself.
	Group string
}

// AWSManaged reports whether the source is an AWS managed policy.
func (s Source) AWSManaged() bool { return isAWSManagedARN(s.ARN) }

// String describes the source for people: `inline policy "S3Access"`,
// `AWS managed policy "ReadOnlyAccess" (v3) via group "auditors"`.
func (s Source) String() string {
	var b strings.Builder
	switch s.Kind {
	case SourceInline:
		fmt.Fprintf(&b, "inline policy %q", s.Name)
	case SourceManaged, SourceBoundary:
		if s.Kind == SourceBoundary {
			b.WriteString("permissions boundary, ")
		}
		if s.AWSManaged() {
			b.WriteString("AWS ")
		}
		fmt.Fprintf(&b, "managed policy %q", s.Name)
		if s.VersionID != "" {
			fmt.Fprintf(&b, " (%s)", s.VersionID)
		}
	case SourceTrust:
		b.WriteString("trust policy")
	default:
		fmt.Fprintf(&b, "%s policy %q", s.Kind, s.Name)
	}
	if s.Group != "" {
		fmt.Fprintf(&b, " via group %q", s.Group)
	}
	return b.String()
}

// PolicyDocument is one policy document of a principal with its source.
type PolicyDocument struct {
	Source
	// Document is the normalized JSON text of the policy; nil when Missing.
	Document json.RawMessage
	// Missing is true when the document is not in the snapshot (a managed
	// policy absent from the input, or without its default version): the
	// permissions it grants are unknown, not empty.
	Missing bool
}

// PolicySet is everything that decides what a principal may do, as far as
// the account's own IAM configuration goes.
type PolicySet struct {
	Principal Principal
	// Identity holds the identity-based policies: the principal's inline
	// policies, then its attached managed policies (default version), then,
	// for a user, for each group in membership order, the group's inline
	// and attached policies. A managed policy attached twice appears twice,
	// once per source.
	Identity []PolicyDocument
	// Boundary is the permissions boundary, nil when there is none.
	Boundary *PolicyDocument
	// Trust is a role's trust policy (who may assume it); nil for users.
	Trust *PolicyDocument
	// MissingGroups lists groups the user belongs to that the snapshot does
	// not contain: their policies are unknown.
	MissingGroups []string
}

// Complete reports whether every document of the set is known: no policy is
// Missing and no group is missing.
func (ps *PolicySet) Complete() bool {
	if len(ps.MissingGroups) > 0 {
		return false
	}
	for _, d := range ps.Identity {
		if d.Missing {
			return false
		}
	}
	if ps.Boundary != nil && ps.Boundary.Missing {
		return false
	}
	return ps.Trust == nil || !ps.Trust.Missing
}

// PolicySet returns the policies that apply to p: see [PolicySet].
func (s *Snapshot) PolicySet(p Principal) PolicySet {
	ps := PolicySet{Principal: p}
	var boundary *PermissionsBoundary
	switch {
	case p.User != nil:
		u := p.User
		ps.Identity = s.appendPolicies(ps.Identity, u.ARN, "", u.UserPolicyList, u.AttachedManagedPolicies)
		for _, name := range u.GroupList {
			g := s.Group(name)
			if g == nil {
				ps.MissingGroups = append(ps.MissingGroups, name)
				continue
			}
			ps.Identity = s.appendPolicies(ps.Identity, g.ARN, g.GroupName, g.GroupPolicyList, g.AttachedManagedPolicies)
		}
		boundary = u.PermissionsBoundary
	case p.Role != nil:
		r := p.Role
		ps.Identity = s.appendPolicies(ps.Identity, r.ARN, "", r.RolePolicyList, r.AttachedManagedPolicies)
		boundary = r.PermissionsBoundary
		ps.Trust = &PolicyDocument{
			Source:   Source{Kind: SourceTrust, Name: "AssumeRolePolicyDocument", Owner: r.ARN},
			Document: r.AssumeRolePolicyDocument,
			Missing:  r.AssumeRolePolicyDocument == nil,
		}
	}
	if boundary != nil {
		d := s.managedDocument(SourceBoundary, p.ARN(), "", boundary.PermissionsBoundaryARN, "")
		ps.Boundary = &d
	}
	return ps
}

func (s *Snapshot) appendPolicies(out []PolicyDocument, owner, group string, inline []InlinePolicy, attached []AttachedPolicy) []PolicyDocument {
	for _, ip := range inline {
		out = append(out, PolicyDocument{
			Source:   Source{Kind: SourceInline, Name: ip.PolicyName, Owner: owner, Group: group},
			Document: ip.PolicyDocument,
			Missing:  ip.PolicyDocument == nil,
		})
	}
	for _, a := range attached {
		out = append(out, s.managedDocument(SourceManaged, owner, group, a.PolicyARN, a.PolicyName))
	}
	return out
}

// managedDocument resolves a managed policy to its default version.
func (s *Snapshot) managedDocument(kind SourceKind, owner, group, policyARN, name string) PolicyDocument {
	d := PolicyDocument{Source: Source{Kind: kind, Name: name, ARN: policyARN, Owner: owner, Group: group}}
	p := s.Policy(policyARN)
	if p == nil {
		if d.Name == "" {
			if a, ok := parseARN(policyARN); ok {
				d.Name = lastSegment(a.resource)
			}
		}
		d.Missing = true
		return d
	}
	d.Name = p.PolicyName
	if v := p.DefaultVersion(); v != nil {
		d.VersionID = v.VersionID
		d.Document = v.Document
	}
	d.Missing = d.Document == nil
	return d
}
