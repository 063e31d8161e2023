package tailor

import "time"

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
