package account

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tailor-sec/tailor"
)

// Snapshot is the IAM configuration of one account at one time: its users,
// groups, roles and managed policies, indexed for lookup. A Snapshot is
// read-only once built and safe for concurrent use; callers must not modify
// the values its methods return.
type Snapshot struct {
	details   AuthorizationDetails
	accountID string
	warnings  []Warning
	missing   []MissingPolicy

	users    []*User
	groups   []*Group
	roles    []*Role
	policies []*ManagedPolicy

	userByARN, roleByARN, groupByARN map[string]int
	userByName, roleByName           map[string]int // keyed by lower-case name
	groupByName                      map[string]int // keyed by lower-case name
	policyByARN                      map[string]int
	missingByARN                     map[string]int
	lastAccessedByARN                map[string]int
}

// WarningKind classifies a [Warning].
type WarningKind string

// The kinds of warning a snapshot reports.
const (
	// WarnMissingPolicy: a managed policy is attached (or used as a
	// permissions boundary) but absent from the input's Policies.
	WarnMissingPolicy WarningKind = "missing-policy"
	// WarnNoDefaultVersion: a managed policy's default version is not in
	// its PolicyVersionList, so its document is unknown.
	WarnNoDefaultVersion WarningKind = "no-default-version"
	// WarnMissingGroup: a user is a member of a group absent from the input.
	WarnMissingGroup WarningKind = "missing-group"
	// WarnMixedAccounts: ARNs in the input name more than one account.
	WarnMixedAccounts WarningKind = "mixed-accounts"
	// WarnDuplicate: the same ARN appears twice; the first is kept.
	WarnDuplicate WarningKind = "duplicate"
	// WarnTruncated: the input's last page says more pages follow.
	WarnTruncated WarningKind = "truncated"
	// WarnLastAccessed: IAM's last accessed report of a principal is
	// missing, failed or about a principal the snapshot lacks.
	WarnLastAccessed WarningKind = "last-accessed"
)

// Warning is a problem in the input that does not stop it from loading but
// makes the snapshot less than complete or exact.
type Warning struct {
	Kind    WarningKind
	Subject string // the ARN or name the warning is about
	Message string // a sentence for people, naming the subject
}

func (w Warning) String() string { return w.Message }

// MissingPolicy is a managed policy that the snapshot refers to but does not
// contain. Its permissions are unknown, not empty.
type MissingPolicy struct {
	ARN  string
	Name string // as given in the attachment, or the last part of the ARN
	// AttachedTo lists the ARNs of the users, groups and roles that attach
	// the policy or use it as their permissions boundary.
	AttachedTo []string
	// Similar is the ARN of a policy in the snapshot whose name differs only
	// in case and punctuation (AWSLambdaReadOnlyAccess and
	// AWSLambda_ReadOnlyAccess), a hint that the input mixes up the two; or
	// empty.
	Similar string
}

// New builds a snapshot from d. It takes ownership of d: policy documents
// are normalized in place (see [NormalizeDocument]). Problems that leave the
// snapshot usable, such as missing managed policies, are reported by
// [Snapshot.Warnings]; a malformed policy document is an error
// ([*ParseError] wrapping [ErrDocument], without a file name).
func New(d *AuthorizationDetails) (*Snapshot, error) {
	if err := normalize(d); err != nil {
		return nil, err
	}
	return newSnapshot(d), nil
}

// newSnapshot is New for details already normalized.
func newSnapshot(d *AuthorizationDetails) *Snapshot {
	s := &Snapshot{
		userByARN:    map[string]int{},
		roleByARN:    map[string]int{},
		groupByARN:   map[string]int{},
		userByName:   map[string]int{},
		roleByName:   map[string]int{},
		groupByName:  map[string]int{},
		policyByARN:  map[string]int{},
		missingByARN: map[string]int{},

		lastAccessedByARN: map[string]int{},
	}
	s.details = AuthorizationDetails{
		UserDetailList:  dedupe(s, d.UserDetailList, func(u *User) string { return u.ARN }, "user"),
		GroupDetailList: dedupe(s, d.GroupDetailList, func(g *Group) string { return g.ARN }, "group"),
		RoleDetailList:  dedupe(s, d.RoleDetailList, func(r *Role) string { return r.ARN }, "role"),
		Policies:        dedupe(s, d.Policies, func(p *ManagedPolicy) string { return p.ARN }, "managed policy"),

		ServiceLastAccessedDetails: dedupe(s, d.ServiceLastAccessedDetails, func(l *LastAccessed) string { return l.ARN }, "last accessed report of"),
	}
	for i := range s.details.UserDetailList {
		u := &s.details.UserDetailList[i]
		s.users = append(s.users, u)
		s.userByARN[u.ARN] = i
		setOnce(s.userByName, strings.ToLower(u.UserName), i)
	}
	for i := range s.details.GroupDetailList {
		g := &s.details.GroupDetailList[i]
		s.groups = append(s.groups, g)
		s.groupByARN[g.ARN] = i
		setOnce(s.groupByName, strings.ToLower(g.GroupName), i)
	}
	for i := range s.details.RoleDetailList {
		r := &s.details.RoleDetailList[i]
		s.roles = append(s.roles, r)
		s.roleByARN[r.ARN] = i
		setOnce(s.roleByName, strings.ToLower(r.RoleName), i)
	}
	for i := range s.details.Policies {
		p := &s.details.Policies[i]
		s.policies = append(s.policies, p)
		s.policyByARN[p.ARN] = i
	}
	for i := range s.details.ServiceLastAccessedDetails {
		s.lastAccessedByARN[s.details.ServiceLastAccessedDetails[i].ARN] = i
	}
	s.findAccount()
	s.checkPolicies()
	s.checkGroups()
	s.checkLastAccessed()
	return s
}

// checkLastAccessed warns about last accessed reports that failed or that
// are about principals the snapshot lacks.
func (s *Snapshot) checkLastAccessed() {
	for i := range s.details.ServiceLastAccessedDetails {
		l := &s.details.ServiceLastAccessedDetails[i]
		_, user := s.userByARN[l.ARN]
		_, role := s.roleByARN[l.ARN]
		switch {
		case !user && !role:
			s.warnings = append(s.warnings, Warning{Kind: WarnLastAccessed, Subject: l.ARN,
				Message: fmt.Sprintf("last accessed report of %s: no such user or role in the snapshot; the report is kept but unused", l.ARN)})
		case l.JobStatus == JobFailed:
			msg := "no reason given"
			if l.Error != nil {
				msg = l.Error.Code + ": " + l.Error.Message
			}
			s.warnings = append(s.warnings, Warning{Kind: WarnLastAccessed, Subject: l.ARN,
				Message: fmt.Sprintf("IAM's last accessed job for %s failed (%s): no last accessed evidence for it", l.ARN, msg)})
		case l.JobStatus != JobCompleted:
			s.warnings = append(s.warnings, Warning{Kind: WarnLastAccessed, Subject: l.ARN,
				Message: fmt.Sprintf("last accessed report of %s has job status %q, not COMPLETED: no last accessed evidence for it", l.ARN, l.JobStatus)})
		}
	}
}

// LastAccessed returns IAM's last accessed report of the user or role with
// the given ARN, or nil when the snapshot holds none. The report may be
// FAILED; its methods then know nothing (see [LastAccessed.Complete]), as
// they do on nil. An assumed-role session ARN finds its role's report.
func (s *Snapshot) LastAccessed(principalARN string) *LastAccessed {
	if i, ok := s.lastAccessedByARN[principalARN]; ok {
		return &s.details.ServiceLastAccessedDetails[i]
	}
	if p, err := s.Principal(principalARN); err == nil {
		if i, ok := s.lastAccessedByARN[p.ARN()]; ok {
			return &s.details.ServiceLastAccessedDetails[i]
		}
	}
	return nil
}

// HasLastAccessed reports whether the snapshot holds any last accessed
// report.
func (s *Snapshot) HasLastAccessed() bool { return len(s.details.ServiceLastAccessedDetails) > 0 }

func setOnce(m map[string]int, k string, v int) {
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

// dedupe drops entries whose key was seen before, with a warning.
func dedupe[T any](s *Snapshot, list []T, key func(*T) string, kind string) []T {
	seen := make(map[string]bool, len(list))
	out := list[:0:0]
	for i := range list {
		k := key(&list[i])
		if k != "" && seen[k] {
			s.warnings = append(s.warnings, Warning{
				Kind: WarnDuplicate, Subject: k,
				Message: fmt.Sprintf("%s %s appears more than once (pages concatenated twice?): the first is kept", kind, k),
			})
			continue
		}
		seen[k] = true
		out = append(out, list[i])
	}
	return nilIfEmpty(out)
}

// findAccount sets the account id to the one most ARNs of users, groups,
// roles and customer managed policies name, and warns when there are others.
func (s *Snapshot) findAccount() {
	count := map[string]int{}
	add := func(a string) {
		if p, ok := parseARN(a); ok && tailor.IsAccountID(p.account) {
			count[p.account]++
		}
	}
	for _, u := range s.users {
		add(u.ARN)
	}
	for _, g := range s.groups {
		add(g.ARN)
	}
	for _, r := range s.roles {
		add(r.ARN)
	}
	for _, p := range s.policies {
		add(p.ARN)
	}
	ids := make([]string, 0, len(count))
	for id := range count {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if count[ids[i]] != count[ids[j]] {
			return count[ids[i]] > count[ids[j]]
		}
		return ids[i] < ids[j]
	})
	if len(ids) == 0 {
		return
	}
	s.accountID = ids[0]
	if len(ids) > 1 {
		others := make([]string, 0, len(ids)-1)
		for _, id := range ids[1:] {
			others = append(others, fmt.Sprintf("%s (%d ARNs)", id, count[id]))
		}
		s.warnings = append(s.warnings, Warning{
			Kind: WarnMixedAccounts, Subject: s.accountID,
			Message: fmt.Sprintf("ARNs name more than one account: taking %s (%d ARNs) as the account; others: %s",
				s.accountID, count[s.accountID], strings.Join(others, ", ")),
		})
	}
}

// checkPolicies records the managed policies referred to but absent, and
// the ones whose default version is absent.
func (s *Snapshot) checkPolicies() {
	refer := func(owner, policyARN, name string) {
		if policyARN == "" {
			return
		}
		if _, ok := s.policyByARN[policyARN]; ok {
			return
		}
		i, ok := s.missingByARN[policyARN]
		if !ok {
			if name == "" {
				if a, ok := parseARN(policyARN); ok {
					name = lastSegment(a.resource)
				}
			}
			i = len(s.missing)
			s.missingByARN[policyARN] = i
			s.missing = append(s.missing, MissingPolicy{ARN: policyARN, Name: name, Similar: s.similarPolicy(name)})
		}
		s.missing[i].AttachedTo = append(s.missing[i].AttachedTo, owner)
	}
	for _, u := range s.users {
		for _, a := range u.AttachedManagedPolicies {
			refer(u.ARN, a.PolicyARN, a.PolicyName)
		}
		if b := u.PermissionsBoundary; b != nil {
			refer(u.ARN, b.PermissionsBoundaryARN, "")
		}
	}
	for _, g := range s.groups {
		for _, a := range g.AttachedManagedPolicies {
			refer(g.ARN, a.PolicyARN, a.PolicyName)
		}
	}
	for _, r := range s.roles {
		for _, a := range r.AttachedManagedPolicies {
			refer(r.ARN, a.PolicyARN, a.PolicyName)
		}
		if b := r.PermissionsBoundary; b != nil {
			refer(r.ARN, b.PermissionsBoundaryARN, "")
		}
	}
	for _, m := range s.missing {
		kind := "customer managed policy"
		if isAWSManagedARN(m.ARN) {
			kind = "AWS managed policy"
		}
		msg := fmt.Sprintf("%s %s is attached to %s but absent from Policies: its permissions are unknown, not empty (was the file made with --filter? run \"tailor iam snapshot\" or get-account-authorization-details without --filter)",
			kind, m.ARN, describeOwners(m.AttachedTo))
		if m.Similar != "" {
			msg += fmt.Sprintf("; the file holds %s, whose name differs only in case or punctuation: a mismatched policy name?", m.Similar)
		}
		s.warnings = append(s.warnings, Warning{Kind: WarnMissingPolicy, Subject: m.ARN, Message: msg})
	}
	for _, p := range s.policies {
		if v := p.DefaultVersion(); v == nil || v.Document == nil {
			s.warnings = append(s.warnings, Warning{
				Kind: WarnNoDefaultVersion, Subject: p.ARN,
				Message: fmt.Sprintf("managed policy %s: default version %q is not in its PolicyVersionList with a document: its permissions are unknown",
					p.ARN, p.DefaultVersionID),
			})
		}
	}
}

// similarPolicy returns the ARN of a policy in the snapshot whose name
// equals name once case, '_' and '-' are ignored, or "".
func (s *Snapshot) similarPolicy(name string) string {
	key := looseName(name)
	if key == "" {
		return ""
	}
	for _, p := range s.policies {
		if looseName(p.PolicyName) == key {
			return p.ARN
		}
	}
	return ""
}

func looseName(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', '.', ' ':
			return -1
		}
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// checkGroups warns about group memberships naming groups the input lacks.
func (s *Snapshot) checkGroups() {
	for _, u := range s.users {
		for _, g := range u.GroupList {
			if s.Group(g) == nil {
				s.warnings = append(s.warnings, Warning{
					Kind: WarnMissingGroup, Subject: g,
					Message: fmt.Sprintf("user %s is a member of group %s, which is absent from GroupDetailList: the group's policies are unknown", u.ARN, g),
				})
			}
		}
	}
}

func describeOwners(arns []string) string {
	if len(arns) <= 3 {
		return strings.Join(arns, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(arns[:3], ", "), len(arns)-3)
}

// Details returns the authorization details the snapshot was built from,
// normalized and without duplicates. [SaveAuthorizationDetails] writes it.
func (s *Snapshot) Details() *AuthorizationDetails { return &s.details }

// AccountID returns the 12-digit id of the account, taken from the ARNs of
// its users, groups, roles and customer managed policies (the one most of
// them name), or "" when none has one.
func (s *Snapshot) AccountID() string { return s.accountID }

// Warnings returns the problems found while loading, in the order found.
func (s *Snapshot) Warnings() []Warning { return s.warnings }

// Missing returns the managed policies the snapshot refers to but does not
// contain, in the order first referred to.
func (s *Snapshot) Missing() []MissingPolicy { return s.missing }

// Users returns the users in input order.
func (s *Snapshot) Users() []*User { return s.users }

// Groups returns the groups in input order.
func (s *Snapshot) Groups() []*Group { return s.groups }

// Roles returns the roles in input order.
func (s *Snapshot) Roles() []*Role { return s.roles }

// Policies returns the managed policies in input order.
func (s *Snapshot) Policies() []*ManagedPolicy { return s.policies }

// Policy returns the managed policy with the given ARN, or nil.
func (s *Snapshot) Policy(arn string) *ManagedPolicy {
	if i, ok := s.policyByARN[arn]; ok {
		return s.policies[i]
	}
	return nil
}

// User returns the user with the given name or ARN, or nil. Names match
// case-insensitively, as IAM names are unique regardless of case.
func (s *Snapshot) User(nameOrARN string) *User {
	if i, ok := s.userByARN[nameOrARN]; ok {
		return s.users[i]
	}
	if i, ok := s.userByName[strings.ToLower(nameOrARN)]; ok {
		return s.users[i]
	}
	return nil
}

// Role returns the role with the given name or ARN, or nil. Names match
// case-insensitively.
func (s *Snapshot) Role(nameOrARN string) *Role {
	if i, ok := s.roleByARN[nameOrARN]; ok {
		return s.roles[i]
	}
	if i, ok := s.roleByName[strings.ToLower(nameOrARN)]; ok {
		return s.roles[i]
	}
	return nil
}

// Group returns the group with the given name or ARN, or nil. Names match
// case-insensitively.
func (s *Snapshot) Group(nameOrARN string) *Group {
	if i, ok := s.groupByARN[nameOrARN]; ok {
		return s.groups[i]
	}
	if i, ok := s.groupByName[strings.ToLower(nameOrARN)]; ok {
		return s.groups[i]
	}
	return nil
}
