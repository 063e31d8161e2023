package rightsize

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/policy"
)

// Subject is a principal to rightsize: who it is and the policies that
// decide what it may do today.
type Subject struct {
	ARN  string // the ARN its calls are logged under
	Name string // the user or role name
	Kind string // "role" or "user"
	// Account is the principal's account id; "" takes it from ARN.
	Account string
	// Identity holds the identity-based policies (inline, attached managed,
	// group policies). Each Policy's Name labels it in the report, such as
	// `inline policy "S3Access"`. They must not be changed while in use.
	Identity []*policy.Policy
	// Sources says where each of Identity comes from, index for index;
	// it may be shorter (nil when unknown). A suggestion that keeps
	// nothing uses it to say how to detach each policy.
	Sources []account.Source
	// Boundary is the permissions boundary, or nil.
	Boundary *policy.Policy
	// LastAccessed is IAM's last-accessed report of the principal, or nil:
	// the second witness of what it used (see Reason KeptLastAccessed and
	// RemovedNotAccessed).
	LastAccessed *account.LastAccessed
	// Groups names the groups whose policies are among Identity: the
	// suggestion replaces them for this user only, so applying it means
	// leaving the groups.
	Groups []string
}

func (s *Subject) account() string {
	if s.Account != "" {
		return s.Account
	}
	if f := strings.SplitN(s.ARN, ":", 6); len(f) == 6 {
		return f[4]
	}
	return ""
}

// Subject builds the Subject of a user or role of a snapshot. Its policy
// documents are parsed once per Rightsizer and shared between the
// principals that hold them. A principal whose policies are not all in the
// snapshot gives an error wrapping ErrIncomplete; a document that does not
// parse, an error naming its source.
func (rs *Rightsizer) Subject(snap *account.Snapshot, p account.Principal) (*Subject, error) {
	ps := snap.PolicySet(p)
	s := &Subject{ARN: p.ARN(), Name: p.Name(), Kind: string(p.Kind), Account: snap.AccountID(), LastAccessed: snap.LastAccessed(p.ARN())}
	if len(ps.MissingGroups) > 0 {
		return nil, fmt.Errorf("%w: %s: groups %s are not in the snapshot", ErrIncomplete, s.ARN, strings.Join(ps.MissingGroups, ", "))
	}
	for _, d := range ps.Identity {
		if d.Group != "" && !slices.Contains(s.Groups, d.Group) {
			s.Groups = append(s.Groups, d.Group)
		}
		pol, err := rs.document(d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.ARN, err)
		}
		s.Identity = append(s.Identity, pol)
		s.Sources = append(s.Sources, d.Source)
	}
	if ps.Boundary != nil {
		pol, err := rs.document(*ps.Boundary)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.ARN, err)
		}
		s.Boundary = pol
	}
	return s, nil
}

// document parses a policy document of a snapshot, or returns the copy
// parsed before.
func (rs *Rightsizer) document(d account.PolicyDocument) (*policy.Policy, error) {
	label := d.Source.String()
	if d.Missing {
		return nil, fmt.Errorf("%w: %s is not in the snapshot: what it grants is unknown", ErrIncomplete, label)
	}
	key := label + "\x00" + string(d.Document)
	if p, ok := rs.docs.Load(key); ok {
		return p.(*policy.Policy), nil
	}
	p, err := policy.ParseEncodedAs(d.Document, policy.KindIdentity)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", label, err)
	}
	p.Name = label
	got, _ := rs.docs.LoadOrStore(key, p)
	return got.(*policy.Policy), nil
}
