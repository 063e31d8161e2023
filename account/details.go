package account

import (
	"encoding/json"
	"strings"
)

// AuthorizationDetails is the output of aws iam get-account-authorization-details,
// field for field: the JSON names are the ones the AWS CLI prints. Policy
// documents are JSON objects ([json.RawMessage]); in a value read by this
// package or returned by [FetchAuthorizationDetails] they are normalized:
// compact and URL-decoded.
//
// ServiceLastAccessedDetails is tailor's addition, absent from what the AWS
// CLI prints: IAM's last accessed reports of the users and roles, one per
// principal, as [FetchLastAccessed] returns them. Readers that do not know
// the key ignore it.
type AuthorizationDetails struct {
	UserDetailList  []User          `json:"UserDetailList"`
	GroupDetailList []Group         `json:"GroupDetailList"`
	RoleDetailList  []Role          `json:"RoleDetailList"`
	Policies        []ManagedPolicy `json:"Policies"`

	ServiceLastAccessedDetails []LastAccessed `json:"ServiceLastAccessedDetails,omitempty"`
}

// User is an IAM user (UserDetail in the IAM API).
type User struct {
	Path                    string               `json:"Path,omitempty"`
	UserName                string               `json:"UserName"`
	UserID                  string               `json:"UserId,omitempty"`
	ARN                     string               `json:"Arn"`
	CreateDate              Time                 `json:"CreateDate,omitzero"`
	UserPolicyList          []InlinePolicy       `json:"UserPolicyList,omitempty"`
	GroupList               []string             `json:"GroupList,omitempty"`
	AttachedManagedPolicies []AttachedPolicy     `json:"AttachedManagedPolicies,omitempty"`
	PermissionsBoundary     *PermissionsBoundary `json:"PermissionsBoundary,omitempty"`
	Tags                    []Tag                `json:"Tags,omitempty"`
}

// Group is an IAM group (GroupDetail in the IAM API).
type Group struct {
	Path                    string           `json:"Path,omitempty"`
	GroupName               string           `json:"GroupName"`
	GroupID                 string           `json:"GroupId,omitempty"`
	ARN                     string           `json:"Arn"`
	CreateDate              Time             `json:"CreateDate,omitzero"`
	GroupPolicyList         []InlinePolicy   `json:"GroupPolicyList,omitempty"`
	AttachedManagedPolicies []AttachedPolicy `json:"AttachedManagedPolicies,omitempty"`
}

// Role is an IAM role (RoleDetail in the IAM API).
type Role struct {
	Path       string `json:"Path,omitempty"`
	RoleName   string `json:"RoleName"`
	RoleID     string `json:"RoleId,omitempty"`
	ARN        string `json:"Arn"`
	CreateDate Time   `json:"CreateDate,omitzero"`
	// AssumeRolePolicyDocument is the trust policy: who may assume the role.
	AssumeRolePolicyDocument json.RawMessage      `json:"AssumeRolePolicyDocument,omitempty"`
	InstanceProfileList      []InstanceProfile    `json:"InstanceProfileList,omitempty"`
	RolePolicyList           []InlinePolicy       `json:"RolePolicyList,omitempty"`
	AttachedManagedPolicies  []AttachedPolicy     `json:"AttachedManagedPolicies,omitempty"`
	PermissionsBoundary      *PermissionsBoundary `json:"PermissionsBoundary,omitempty"`
	Tags                     []Tag                `json:"Tags,omitempty"`
	// RoleLastUsed is nil when IAM has no record of the role being used
	// (never used, or not within IAM's tracking period).
	RoleLastUsed *RoleLastUsed `json:"RoleLastUsed,omitempty"`
}

// ServiceLinked reports whether the role is a service-linked role, which
// only its AWS service can assume and change.
func (r *Role) ServiceLinked() bool {
	return strings.HasPrefix(r.Path, "/aws-service-role/")
}

// InlinePolicy is a policy embedded in a user, group or role (PolicyDetail
// in the IAM API).
type InlinePolicy struct {
	PolicyName     string          `json:"PolicyName"`
	PolicyDocument json.RawMessage `json:"PolicyDocument"`
}

// AttachedPolicy names a managed policy attached to a user, group or role.
type AttachedPolicy struct {
	PolicyName string `json:"PolicyName"`
	PolicyARN  string `json:"PolicyArn"`
}

// PermissionsBoundary is the managed policy that bounds the permissions of a
// user or role.
type PermissionsBoundary struct {
	PermissionsBoundaryType string `json:"PermissionsBoundaryType,omitempty"`
	PermissionsBoundaryARN  string `json:"PermissionsBoundaryArn"`
}

// Tag is an IAM tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// RoleLastUsed says when and in which region a role was last used to make
// an AWS request.
type RoleLastUsed struct {
	LastUsedDate Time   `json:"LastUsedDate,omitzero"`
	Region       string `json:"Region,omitempty"`
}

// InstanceProfile is an EC2 instance profile that holds a role.
type InstanceProfile struct {
	Path                string                `json:"Path,omitempty"`
	InstanceProfileName string                `json:"InstanceProfileName"`
	InstanceProfileID   string                `json:"InstanceProfileId,omitempty"`
	ARN                 string                `json:"Arn"`
	CreateDate          Time                  `json:"CreateDate,omitzero"`
	Roles               []InstanceProfileRole `json:"Roles,omitempty"`
	Tags                []Tag                 `json:"Tags,omitempty"`
}

// InstanceProfileRole is a role as listed inside an instance profile.
type InstanceProfileRole struct {
	Path                     string               `json:"Path,omitempty"`
	RoleName                 string               `json:"RoleName"`
	RoleID                   string               `json:"RoleId,omitempty"`
	ARN                      string               `json:"Arn"`
	CreateDate               Time                 `json:"CreateDate,omitzero"`
	AssumeRolePolicyDocument json.RawMessage      `json:"AssumeRolePolicyDocument,omitempty"`
	Description              string               `json:"Description,omitempty"`
	MaxSessionDuration       int                  `json:"MaxSessionDuration,omitempty"`
	PermissionsBoundary      *PermissionsBoundary `json:"PermissionsBoundary,omitempty"`
	Tags                     []Tag                `json:"Tags,omitempty"`
	RoleLastUsed             *RoleLastUsed        `json:"RoleLastUsed,omitempty"`
}

// ManagedPolicy is a customer or AWS managed policy with its versions
// (ManagedPolicyDetail in the IAM API).
type ManagedPolicy struct {
	PolicyName                    string          `json:"PolicyName"`
	PolicyID                      string          `json:"PolicyId,omitempty"`
	ARN                           string          `json:"Arn"`
	Path                          string          `json:"Path,omitempty"`
	DefaultVersionID              string          `json:"DefaultVersionId,omitempty"`
	AttachmentCount               int             `json:"AttachmentCount"`
	PermissionsBoundaryUsageCount int             `json:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool            `json:"IsAttachable"`
	Description                   string          `json:"Description,omitempty"`
	CreateDate                    Time            `json:"CreateDate,omitzero"`
	UpdateDate                    Time            `json:"UpdateDate,omitzero"`
	PolicyVersionList             []PolicyVersion `json:"PolicyVersionList,omitempty"`
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	Document         json.RawMessage `json:"Document,omitempty"`
	VersionID        string          `json:"VersionId"`
	IsDefaultVersion bool            `json:"IsDefaultVersion"`
	CreateDate       Time            `json:"CreateDate,omitzero"`
}

// AWSManaged reports whether the policy is managed by AWS
// (arn:aws:iam::aws:policy/...) rather than by the account.
func (p *ManagedPolicy) AWSManaged() bool { return isAWSManagedARN(p.ARN) }

// DefaultVersion returns the version in effect: the one marked
// IsDefaultVersion, else the one whose id is DefaultVersionId. It returns nil
// when the list holds neither.
func (p *ManagedPolicy) DefaultVersion() *PolicyVersion {
	for i := range p.PolicyVersionList {
		if p.PolicyVersionList[i].IsDefaultVersion {
			return &p.PolicyVersionList[i]
		}
	}
	if p.DefaultVersionID == "" {
		return nil
	}
	for i := range p.PolicyVersionList {
		if p.PolicyVersionList[i].VersionID == p.DefaultVersionID {
			return &p.PolicyVersionList[i]
		}
	}
	return nil
}

// isAWSManagedARN reports whether arn names an AWS managed policy in any
// partition (arn:aws:iam::aws:policy/..., arn:aws-cn:iam::aws:policy/...).
func isAWSManagedARN(arn string) bool {
	a, ok := parseARN(arn)
	return ok && a.service == "iam" && a.account == "aws" && strings.HasPrefix(a.resource, "policy/")
}
