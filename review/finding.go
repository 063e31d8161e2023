package review

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Finding is one problem the review found with one principal.
type Finding struct {
	// ID is stable across runs: the rule, then the first 8 hex digits of
	// the SHA-256 of the principal's ARN and what the finding is about
	// (an outside account, a key slot), "TRUST-NO-EXTERNAL-ID-5c2f0e1a".
	ID       string   `json:"id"`
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	// Principal is the ARN of the role, user or account concerned.
	Principal string `json:"principal"`
	// Account is the outside account the finding concerns, if any, and
	// Vendor its name from the known-accounts list.
	Account  string   `json:"account,omitempty"`
	Vendor   string   `json:"vendor,omitempty"`
	Evidence Evidence `json:"evidence"`
	Remedy   Remedy   `json:"remedy"`
}

// Evidence is what a finding rests on.
type Evidence struct {
	// Summary says in a sentence what was found.
	Summary string `json:"summary"`
	// Statement is the policy statement concerned, if any.
	Statement *StatementRef `json:"statement,omitempty"`
	// Facts are named values (dates, counts, addresses), in a fixed order
	// per rule.
	Facts []Fact `json:"facts,omitempty"`
	// Actions are the actions concerned, for privilege findings: the
	// unused ones first.
	Actions []ActionUse `json:"actions,omitempty"`
	// Events are log records that show it, oldest first.
	Events []EventRef `json:"events,omitempty"`
}

// StatementRef names a policy statement and holds its text.
type StatementRef struct {
	// Policy describes the policy: "trust policy", `AWS managed policy
	// "ReadOnlyAccess" (v3)`, `inline policy "S3Access"`.
	Policy string `json:"policy"`
	Index  int    `json:"index"` // 0-based
	Sid    string `json:"sid,omitempty"`
	// Document is the statement as canonical JSON, with sts:ExternalId
	// values replaced by their masked form.
	Document json.RawMessage `json:"document,omitempty"`
}

// Fact is one named value of the evidence.
type Fact struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ActionUse is one granted action and whether the principal used it.
type ActionUse struct {
	Action string `json:"action"`
	// Category and Reason say why the action is sensitive, for sensitive
	// actions: "data-read" and "reads any secret".
	Category string `json:"category,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// GrantedBy names the statement that grants it.
	GrantedBy string `json:"granted_by,omitempty"`
	// Conditional is true when the grant depends on conditions the review
	// cannot decide.
	Conditional bool      `json:"conditional,omitempty"`
	Used        bool      `json:"used"`
	Calls       int64     `json:"calls,omitempty"`
	LastUsed    time.Time `json:"last_used,omitzero"`
	// Resources are resources the calls touched (at most 10).
	Resources []string `json:"resources,omitempty"`
}

// EventRef is one log record, or a group of like records (Count > 1).
type EventRef struct {
	Time        time.Time `json:"time"`
	Event       string    `json:"event"` // "iam:CreateRole": service prefix and event name
	Principal   string    `json:"principal,omitempty"`
	Account     string    `json:"account,omitempty"` // the calling account, when outside
	SessionName string    `json:"session_name,omitempty"`
	AccessKey   string    `json:"access_key,omitempty"`
	SourceIP    string    `json:"source_ip,omitempty"`
	UserAgent   string    `json:"user_agent,omitempty"`
	ErrorCode   string    `json:"error_code,omitempty"`
	Resources   []string  `json:"resources,omitempty"`
	EventID     string    `json:"event_id,omitempty"`
	Count       int64     `json:"count,omitempty"`
}

// Remedy is what to do about a finding. Policies in it use placeholders in
// angle brackets ("<EXTERNAL-ID-FROM-VENDOR>") where a value must be
// filled in; they never hold a secret.
type Remedy struct {
	Summary string   `json:"summary"`
	Steps   []string `json:"steps,omitempty"`
	// TrustPolicy is a corrected trust policy for the role.
	TrustPolicy json.RawMessage `json:"trust_policy,omitempty"`
	// ResourcePolicy is a corrected policy for a resource.
	ResourcePolicy json.RawMessage `json:"resource_policy,omitempty"`
	// Boundary is a permission boundary that denies what the finding
	// names.
	Boundary json.RawMessage `json:"permission_boundary,omitempty"`
	// SuggestedPolicy is a least-privilege policy from a Rightsizer, when
	// one was attached.
	SuggestedPolicy json.RawMessage `json:"suggested_policy,omitempty"`
	// AccessKey is the key to rotate or delete.
	AccessKey *KeyRef `json:"access_key,omitempty"`
	// Commands are commands to run, in order.
	Commands []string `json:"commands,omitempty"`
}

// KeyRef names an IAM user's access key. The credential report knows keys
// by slot (1 or 2); ID is the key id when the logs show which key it is.
type KeyRef struct {
	User        string    `json:"user"`
	Slot        int       `json:"slot"`
	ID          string    `json:"id,omitempty"`
	LastRotated time.Time `json:"last_rotated,omitzero"`
}

// findingID returns the stable id of a finding: the rule and a hash of
// the principal and the discriminator.
func findingID(rule, principal, discriminator string) string {
	sum := sha256.Sum256([]byte(principal + "|" + discriminator))
	return rule + "-" + hex.EncodeToString(sum[:4])
}

func newFinding(rule, principal, discriminator string, sev Severity, title string) *Finding {
	return &Finding{ID: findingID(rule, principal, discriminator), Rule: rule, Severity: sev, Title: title, Principal: principal}
}

func (e *Evidence) fact(name, value string) {
	e.Facts = append(e.Facts, Fact{Name: name, Value: value})
}

func (e *Evidence) factTime(name string, t time.Time) {
	if !t.IsZero() {
		e.fact(name, t.UTC().Format(time.RFC3339))
	}
}
