package ingest_test

// An independent reading of CloudTrail with encoding/json, to check the
// decoder against on real logs nobody here wrote.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/internal/shareddata"
)

// refRecord is the part of a CloudTrail record the reference reads.
type refRecord struct {
	EventTime    string `json:"eventTime"`
	Timestamp    string `json:"@timestamp"`
	EventSource  string `json:"eventSource"`
	EventName    string `json:"eventName"`
	AWSRegion    string `json:"awsRegion"`
	Recipient    string `json:"recipientAccountId"`
	ErrorCode    string `json:"errorCode"`
	EventID      string `json:"eventID"`
	UserIdentity struct {
		Type           string `json:"type"`
		ARN            string `json:"arn"`
		AccountID      string `json:"accountId"`
		PrincipalID    string `json:"principalId"`
		AccessKeyID    string `json:"accessKeyId"`
		InvokedBy      string `json:"invokedBy"`
		IdentityProv   string `json:"identityProvider"`
		SessionContext struct {
			SessionIssuer struct {
				ARN string `json:"arn"`
			} `json:"sessionIssuer"`
		} `json:"sessionContext"`
		OnBehalfOf struct {
			UserID           string `json:"userId"`
			IdentityStoreARN string `json:"identityStoreArn"`
		} `json:"onBehalfOf"`
	} `json:"userIdentity"`
	// Resources is raw: hand-made records in the corpus put strings in it.
	Resources []json.RawMessage `json:"resources"`
}

// arns returns the ARNs of resources[] entries that are objects.
func (r *refRecord) arns() []string {
	var out []string
	for _, raw := range r.Resources {
		var res struct {
			ARN string `json:"ARN"`
		}
		if json.Unmarshal(raw, &res) == nil && res.ARN != "" {
			out = append(out, res.ARN)
		}
	}
	return out
}

func isAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// principal derives the principal ARN the way DESIGN.md's Event contract
// describes it.
func (r *refRecord) principal() string {
	u := &r.UserIdentity
	root := func() string {
		part := "aws"
		switch {
		case strings.HasPrefix(r.AWSRegion, "cn-"):
			part = "aws-cn"
		case strings.HasPrefix(r.AWSRegion, "us-gov-"):
			part = "aws-us-gov"
		}
		return "arn:" + part + ":iam::" + u.AccountID + ":root"
	}
	var p string
	switch u.Type {
	case "AssumedRole":
		p = u.SessionContext.SessionIssuer.ARN
		if p == "" && strings.Contains(u.ARN, ":assumed-role/") {
			// arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION
			f := strings.Split(u.ARN, ":")
			name := strings.Split(strings.TrimPrefix(f[5], "assumed-role/"), "/")[0]
			p = "arn:" + f[1] + ":iam::" + f[4] + ":role/" + name
		}
	case "FederatedUser":
		p = u.SessionContext.SessionIssuer.ARN
	case "AWSService":
		p = u.InvokedBy
		if p == "" {
			p = u.PrincipalID
		}
	case "AWSAccount":
		if isAccount(u.AccountID) {
			p = root()
		}
	case "IdentityCenterUser":
		if u.OnBehalfOf.IdentityStoreARN != "" && u.OnBehalfOf.UserID != "" {
			p = u.OnBehalfOf.IdentityStoreARN + "/user/" + u.OnBehalfOf.UserID
		}
	case "SAMLUser", "WebIdentityUser":
		p = u.IdentityProv
		if p == "" {
			p = u.PrincipalID
		}
	}
	if p != "" {
		return p
	}
	switch {
	case u.ARN != "":
		return u.ARN
	case u.Type == "" && u.InvokedBy != "":
		return u.InvokedBy
	case isAccount(u.AccountID):
		return root()
	case u.PrincipalID != "":
		return u.PrincipalID
	}
	return "unknown"
}

// account is the account the call was made in: recipientAccountId, which
// older records lack, else the caller's own account.
func (r *refRecord) account() string {
	if r.Recipient != "" {
		return r.Recipient
	}
	return r.UserIdentity.AccountID
}

// event returns what makes two records copies of one event, with the
// account the delivery path of the stream shows, and false for a record
// without an eventID, which is never taken for a copy.
func (r *refRecord) event(stream string) (string, bool) {
	if r.EventID == "" {
		return "", false
	}
	acct := r.account()
	if acct == "" {
		acct = pathAccount(stream)
	}
	t := r.time()
	return fmt.Sprintf("%s|%d.%09d|%s|%s|%s|%s", r.EventID, t.Unix(), t.Nanosecond(), acct, r.AWSRegion, r.EventSource, r.EventName), true
}

// pathAccount returns the account a CloudTrail delivery path shows:
// AWSLogs/<account>/ or a file named <account>_CloudTrail_...
func pathAccount(path string) string {
	parts := strings.Split(filepath.ToSlash(path), "/")
	for i, p := range parts {
		if p == "AWSLogs" && i+1 < len(parts) {
			next := parts[i+1:]
			if strings.HasPrefix(next[0], "o-") && len(next) > 1 {
				next = next[1:]
			}
			if isAccount(next[0]) {
				return next[0]
			}
		}
	}
	if name := parts[len(parts)-1]; strings.Contains(name, "_CloudTrail_") && isAccount(name[:min(12, len(name))]) {
		return name[:12]
	}
	return ""
}

func (r *refRecord) time() time.Time {
	s := r.EventTime
	if s == "" {
		s = r.Timestamp
	}
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t.UTC()
}

// refDecode reads every record of a stream in any of the shapes tailor
// reads, with encoding/json. It reports false when the stream is not JSON
// it can read whole; for a broken {"Records":[...]} file it then returns
// the records before the break, read one by one.
func refDecode(data []byte) ([]refRecord, bool) {
	recs, ok := refDecodeWhole(data)
	if ok {
		return recs, true
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	recs = nil
	for _, want := range []string{"{", "Records", "["} {
		tok, err := dec.Token()
		if err != nil || fmt.Sprint(tok) != want {
			return nil, false
		}
	}
	for dec.More() {
		var r refRecord
		if err := dec.Decode(&r); err != nil {
			break
		}
		recs = append(recs, r)
	}
	return recs, false
}

func refDecodeWhole(data []byte) ([]refRecord, bool) {
	var recs []refRecord
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var v json.RawMessage
		if err := dec.Decode(&v); err == io.EOF {
			return recs, true
		} else if err != nil {
			return recs, false
		}
		var top struct {
			Records []json.RawMessage
			Events  []json.RawMessage
		}
		var elems []json.RawMessage
		switch {
		case bytes.HasPrefix(bytes.TrimSpace(v), []byte("[")):
			if json.Unmarshal(v, &elems) != nil {
				return recs, false
			}
		case json.Unmarshal(v, &top) == nil && (top.Records != nil || top.Events != nil):
			elems = append(top.Records, top.Events...)
		default:
			elems = []json.RawMessage{v}
		}
		for _, e := range elems {
			var wrapper struct{ CloudTrailEvent string }
			if json.Unmarshal(e, &wrapper) == nil && wrapper.CloudTrailEvent != "" {
				e = json.RawMessage(wrapper.CloudTrailEvent)
			}
			var r refRecord
			if json.Unmarshal(e, &r) != nil {
				return recs, false
			}
			if r.EventName == "" && r.EventSource == "" && r.EventTime == "" {
				continue // not a record (a manifest entry)
			}
			recs = append(recs, r)
		}
	}
}

// TestDecodeMatchesReference decodes every record of the real corpus and
// compares each with the encoding/json reading of it.
func TestDecodeMatchesReference(t *testing.T) {
	streams := shareddata.CloudTrailStreams(t)
	var total, compared int
	for name, data := range streams {
		ref, whole := refDecode(data)
		evs, errs := decodeAll(t, bytes.NewReader(data), nil)
		if !whole {
			// The decoder must still keep the records before the break.
			if len(errs) == 0 {
				t.Errorf("%s: reference cannot read it, decoder reports no problem", name)
				continue
			}
			if len(evs) != len(ref) {
				t.Errorf("%s: decoder kept %d records before the break, reference %d", name, len(evs), len(ref))
			}
			t.Logf("%s: unreadable whole; decoder kept %d records and said: %v", name, len(evs), errs[0])
			continue
		}
		if len(ref) == 0 {
			continue // JSON of another kind
		}
		if len(errs) > 0 {
			t.Errorf("%s: %v", name, errs)
			continue
		}
		if len(evs) != len(ref) {
			t.Errorf("%s: %d events, reference %d", name, len(evs), len(ref))
			continue
		}
		for i, r := range ref {
			ev := evs[i]
			total++
			want := tailor.Event{
				Time: r.time(), EventSource: r.EventSource, EventName: r.EventName, Region: r.AWSRegion,
				Account: r.account(), ErrorCode: r.ErrorCode, Principal: r.principal(),
				AccessKeyID: r.UserIdentity.AccessKeyID, PrincipalType: tailor.IdentityType(r.UserIdentity.Type),
			}
			got := tailor.Event{
				Time: ev.Time, EventSource: ev.EventSource, EventName: ev.EventName, Region: ev.Region,
				Account: ev.Account, ErrorCode: ev.ErrorCode, Principal: ev.Principal,
				AccessKeyID: ev.AccessKeyID, PrincipalType: ev.PrincipalType,
			}
			if want.PrincipalType == "" && r.UserIdentity.InvokedBy != "" && r.UserIdentity.ARN == "" {
				want.PrincipalType = tailor.IdentityAWSService // untyped service records
			}
			if !eventsEqual(&got, &want) {
				t.Errorf("%s record %d:\n got %+v\nwant %+v", name, i, got, want)
				continue
			}
			for _, arn := range r.arns() {
				if !slices.Contains(ev.Resources, arn) {
					t.Errorf("%s record %d: resource %s missing from %v", name, i, arn, ev.Resources)
				}
			}
			compared++
		}
	}
	if compared < 3800 { // the corpus holds 3,827 records readable whole
		t.Errorf("compared only %d records", compared)
	}
	t.Logf("compared %d of %d records with the reference", compared, total)
}

func corpusDir(t *testing.T) string { return shareddata.Dir(t, "cloudtrail") }
