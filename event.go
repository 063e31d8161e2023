package tailor

import (
	"strings"
	"time"
)

// IdentityType is the userIdentity.type of a CloudTrail record.
type IdentityType string

// The userIdentity types CloudTrail writes. A record without a type decodes
// to IdentityUnknown.
const (
	IdentityUnknown           IdentityType = ""
	IdentityRoot              IdentityType = "Root"
	IdentityIAMUser           IdentityType = "IAMUser"
	IdentityAssumedRole       IdentityType = "AssumedRole"
	IdentityFederatedUser     IdentityType = "FederatedUser"
	IdentityAWSAccount        IdentityType = "AWSAccount"
	IdentityAWSService        IdentityType = "AWSService"
	IdentityCenterUser        IdentityType = "IdentityCenterUser"
	IdentitySAMLUser          IdentityType = "SAMLUser"
	IdentityWebIdentityUser   IdentityType = "WebIdentityUser"
	IdentityDirectory         IdentityType = "Directory"
	IdentityRole              IdentityType = "Role"
	IdentityUnknownCloudTrail IdentityType = "Unknown"
)

// Event is the slim record every CloudTrail input shape decodes to: what
// tailor keeps of one API call. Strings are plain Go strings; an Event
// returned by a decoder is only valid until the decoder's next call unless
// the decoder documents otherwise.
type Event struct {
	Time        time.Time // eventTime, UTC
	EventSource string    // "s3.amazonaws.com"
	EventName   string    // "GetObject"
	Region      string    // awsRegion
	Account     string    // recipientAccountId: the account the call was made in

	// Principal is the ARN the call is attributed to. For an assumed role it
	// is the role ARN from sessionContext.sessionIssuer, not the session
	// ARN; for an AWSAccount identity it is arn:aws:iam::<id>:root; for an
	// AWS service it is the service name ("lambda.amazonaws.com").
	Principal     string
	PrincipalType IdentityType
	// PrincipalAccount is userIdentity.accountId: the account the principal
	// belongs to.
	PrincipalAccount string
	SessionName      string // role session name or federated user name
	SourceIdentity   string
	AccessKeyID      string
	// CallerAccount is the account the call really came from. For a session
	// of a role assumed from another account it is that account, once the
	// AssumeRole call that issued AccessKeyID has been joined; until then (or
	// when that call is not in the logs read) it is empty for role sessions.
	CallerAccount string
	InvokedBy     string // userIdentity.invokedBy: the AWS service acting for the principal

	SourceIP  string
	UserAgent string
	ErrorCode string
	ReadOnly  bool

	// Resources are the ARNs the call touched, from resources[] and, for the
	// services ingest knows, from request parameters.
	Resources []string

	// RequestParams names the request parameters present in the record
	// that change which IAM actions a call needs (session tags, ACL
	// headers, a version id): the catalog decides conditional actions from
	// them. Only the names the decoder was asked to look for are recorded,
	// sorted.
	RequestParams []string

	EventID string
	// Data is true for data events (eventCategory "Data", or
	// managementEvent false), false for management events.
	Data bool

	// Assumption is set on successful sts:AssumeRole* records: the session
	// the call created. Later calls carrying Assumption.AccessKeyID belong
	// to the caller of this one.
	Assumption *Assumption
}

// Assumption describes the role session an sts:AssumeRole* call created.
type Assumption struct {
	RoleARN        string // requestParameters.roleArn
	SessionName    string // requestParameters.roleSessionName
	SourceIdentity string
	AccessKeyID    string // responseElements.credentials.accessKeyId
	CallerAccount  string // the account of the principal that called AssumeRole
	// ExternalID reports whether the call carried an sts:ExternalId. The
	// value itself is a secret and is never kept.
	ExternalID bool
}

// Denied reports whether the call was refused for lack of permission.
func (e *Event) Denied() bool {
	switch e.ErrorCode {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
		"Client.UnauthorizedOperation", "UnauthorizedAccess", "Forbidden",
		"AuthorizationError", "AuthorizationErrorException", "NotAuthorized",
		"AccessDeniedError", "Client.AccessDenied", "UnauthorizedException":
		return true
	}
	return false
}

// Clone returns a deep copy of e that shares no memory with it: use it to
// keep an event a decoder returned past the decoder's next call.
func (e *Event) Clone() *Event {
	c := *e
	c.EventSource = strings.Clone(e.EventSource)
	c.EventName = strings.Clone(e.EventName)
	c.Region = strings.Clone(e.Region)
	c.Account = strings.Clone(e.Account)
	c.Principal = strings.Clone(e.Principal)
	c.PrincipalType = IdentityType(strings.Clone(string(e.PrincipalType)))
	c.PrincipalAccount = strings.Clone(e.PrincipalAccount)
	c.SessionName = strings.Clone(e.SessionName)
	c.SourceIdentity = strings.Clone(e.SourceIdentity)
	c.AccessKeyID = strings.Clone(e.AccessKeyID)
	c.CallerAccount = strings.Clone(e.CallerAccount)
	c.InvokedBy = strings.Clone(e.InvokedBy)
	c.SourceIP = strings.Clone(e.SourceIP)
	c.UserAgent = strings.Clone(e.UserAgent)
	c.ErrorCode = strings.Clone(e.ErrorCode)
	c.EventID = strings.Clone(e.EventID)
	c.Resources = cloneStrings(e.Resources)
	c.RequestParams = cloneStrings(e.RequestParams)
	if e.Assumption != nil {
		a := *e.Assumption
		a.RoleARN = strings.Clone(a.RoleARN)
		a.SessionName = strings.Clone(a.SessionName)
		a.SourceIdentity = strings.Clone(a.SourceIdentity)
		a.AccessKeyID = strings.Clone(a.AccessKeyID)
		a.CallerAccount = strings.Clone(a.CallerAccount)
		c.Assumption = &a
	}
	return &c
}

func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	c := make([]string, len(s))
	for i, v := range s {
		c[i] = strings.Clone(v)
	}
	return c
}
