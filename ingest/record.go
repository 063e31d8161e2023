package ingest

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/tailor-sec/tailor"
)

// parser extracts one record's fields into an Event. It works on the
// decoder's window (or, for a lookup-events record, the unescaped inner
// window) at stable offsets: the window does not slide within a record.
type parser struct {
	w  *window
	ev *tailor.Event
	d  *Decoder

	record, container, inner, digest bool
	top                              bool // the object is a top-level value

	idType, idARN, idAccount, idPrincipalID, idUserName, idInvokedBy  string
	issuerARN, issuerAccount, idProvider, onBehalfUser, onBehalfStore string
	category                                                          string
	mgmt, mgmtSet                                                     bool
	eventTime                                                         bool

	// spans of requestParameters and responseElements, decoded after the
	// record is complete because they depend on eventSource and eventName,
	// which may come after them.
	req, resp span
	// spans of the request parameters that name resources
	spans  [8]keySpan
	nspans int
}

type span struct{ start, end int }

func (p *parser) begin() {
	ev := p.ev
	res, params := ev.Resources[:0], ev.RequestParams[:0]
	*ev = tailor.Event{Resources: res, RequestParams: params}
	p.d.arena = p.d.arena[:0]
}

// str returns the string body buf[s:e] (without quotes), unescaped into
// the arena when esc is set.
func (p *parser) str(s, e int, esc bool) string {
	b := p.w.buf[s:e]
	if !esc {
		return str(b)
	}
	start := len(p.d.arena)
	out, err := unescape(p.d.arena, b)
	if err != nil {
		return str(b) // keep the raw text rather than nothing
	}
	p.d.arena = out
	return str(out[start:])
}

// value reads a string value at i (after white space); a value of
// another type reads as "" and is skipped.
func (p *parser) value(i int) (string, int, error) {
	w := p.w
	if i < w.n && w.buf[i] == '"' {
		end, esc, err := w.stringEnd(i + 1)
		if err != nil {
			return "", end, err
		}
		return p.str(i+1, end-1, esc), end, nil
	}
	end, err := w.skip(i)
	return "", end, err
}

// boolean reads true/false, or the strings "true"/"false".
func (p *parser) boolean(i int) (bool, int, error) {
	end, err := p.w.skip(i)
	if err != nil {
		return false, end, err
	}
	v := string(p.w.buf[i:end])
	return v == "true" || v == `"true"`, end, nil
}

// members calls fn for each member of the object at i (after white
// space), with the key and the offset of its value (after white space).
// fn returns the offset past the value. A null reads as an empty object.
func (p *parser) members(i int, fn func(key []byte, i int) (int, error)) (int, error) {
	w := p.w
	if i < w.n && w.buf[i] != '{' {
		return w.skip(i)
	}
	i++
	first := true
	for {
		var ok bool
		// Compact JSON has no white space: test before calling.
		if i >= w.n || w.buf[i] <= ' ' {
			if i, ok = w.ws(i); !ok {
				return i, w.eofError(i)
			}
		}
		c := w.buf[i]
		if c == '}' {
			return i + 1, nil
		}
		if !first {
			if c != ',' {
				return i, w.syntaxError(i, "expected ',' or '}' in object, found %q", c)
			}
			i++
			if i >= w.n || w.buf[i] <= ' ' {
				if i, ok = w.ws(i); !ok {
					return i, w.eofError(i)
				}
			}
			c = w.buf[i]
		}
		first = false
		if c != '"' {
			return i, w.syntaxError(i, "expected a string key, found %q", c)
		}
		end, esc, err := w.stringEnd(i + 1)
		if err != nil {
			return end, err
		}
		key := w.buf[i+1 : end-1]
		if esc {
			if k, err := unescape(p.d.keyBuf[:0], key); err == nil {
				p.d.keyBuf, key = k, k
			}
		}
		if p.d.lowerKeys {
			if k, ok := lowerKeys[string(key)]; ok {
				key = k
			}
		}
		if end < w.n && w.buf[end] == ':' {
			i = end + 1
		} else if i, err = w.expect(end, ':'); err != nil {
			return i, err
		}
		if i >= w.n || w.buf[i] <= ' ' {
			if i, ok = w.ws(i); !ok {
				return i, w.eofError(i)
			}
		}
		if i, err = fn(key, i); err != nil {
			return i, err
		}
	}
}

// elements calls fn for each element of the array at i (after white
// space), with the offset of the element (after white space). A value
// that is not an array is skipped.
func (p *parser) elements(i int, fn func(i int) (int, error)) (int, error) {
	w := p.w
	if i < w.n && w.buf[i] != '[' {
		return w.skip(i)
	}
	i++
	first := true
	for {
		var ok bool
		if i, ok = w.ws(i); !ok {
			return i, w.eofError(i)
		}
		c := w.buf[i]
		if c == ']' {
			return i + 1, nil
		}
		if !first {
			if c != ',' {
				return i, w.syntaxError(i, "expected ',' or ']' in array, found %q", c)
			}
			if i, ok = w.ws(i + 1); !ok {
				return i, w.eofError(i)
			}
		}
		first = false
		var err error
		if i, err = fn(i); err != nil {
			return i, err
		}
	}
}

// fields reads the members of the record object at i.
func (p *parser) fields(i int, top bool) (int, error) {
	p.top = top
	end, err := p.members(i, p.field)
	if err == errLowerKeys {
		// Read the record again, taking lowercased keys for CloudTrail's.
		p.d.lowerKeys = true
		p.begin()
		*p = parser{w: p.w, ev: p.ev, d: p.d, top: top} // forget the first reading
		end, err = p.members(i, p.field)
	}
	return end, err
}

// errLowerKeys reports a key that is a lowercased CloudTrail key.
var errLowerKeys = errors.New("lowercased keys")

// other skips the value of a key the caller does not read, and reports
// errLowerKeys for a key that is one of CloudTrail's lowercased, which
// pipelines like Athena and Glue write: the record is then read again with
// keys taken case-insensitively.
func (p *parser) other(key []byte, i int) (int, error) {
	if !p.d.lowerKeys && !hasUpper(key) && lowerTriggers[string(key)] {
		return i, errLowerKeys
	}
	return p.w.skip(i)
}

func hasUpper(b []byte) bool {
	for _, c := range b {
		if c >= 'A' && c <= 'Z' {
			return true
		}
	}
	return false
}

// field reads one member of a record.
func (p *parser) field(key []byte, i int) (int, error) {
	ev, top := p.ev, p.top
	{
		var err error
		switch string(key) {
		case "eventTime":
			var s string
			s, i, err = p.value(i)
			if t, ok := parseTime(s); ok {
				ev.Time = t
			}
			p.record = true
			p.eventTime = true
		case "@timestamp":
			// Logstash keeps the time here when it drops eventTime.
			var s string
			s, i, err = p.value(i)
			if t, ok := parseTime(s); ok && !p.eventTime {
				ev.Time = t
			}
		case "eventSource":
			ev.EventSource, i, err = p.value(i)
			p.record = true
		case "eventName":
			ev.EventName, i, err = p.value(i)
			p.record = true
		case "awsRegion":
			ev.Region, i, err = p.value(i)
		case "recipientAccountId":
			ev.Account, i, err = p.value(i)
		case "sourceIPAddress":
			ev.SourceIP, i, err = p.value(i)
		case "userAgent":
			ev.UserAgent, i, err = p.value(i)
		case "errorCode":
			ev.ErrorCode, i, err = p.value(i)
		case "eventID":
			ev.EventID, i, err = p.value(i)
		case "eventCategory":
			p.category, i, err = p.value(i)
		case "readOnly":
			ev.ReadOnly, i, err = p.boolean(i)
		case "managementEvent":
			p.mgmt, i, err = p.boolean(i)
			p.mgmtSet = true
		case "eventVersion":
			p.record = true
			i, err = p.w.skip(i)
		case "userIdentity":
			i, err = p.identity(i)
		case "resources":
			i, err = p.resources(i)
		case "requestParameters":
			p.req.start = i
			i, err = p.requestParameters(i)
			p.req.end = i
		case "responseElements":
			p.resp.start = i
			i, err = p.w.skip(i)
			p.resp.end = i
		case "Records", "Events":
			if top && i < p.w.n && p.w.buf[i] == '[' {
				p.container = true
				return i + 1, errStop
			}
			i, err = p.w.skip(i)
		case "CloudTrailEvent":
			i, err = p.lookupRecord(i)
		case "digestStartTime", "digestEndTime", "digestS3Bucket", "digestPublicKeyFingerprint", "digestSignatureAlgorithm", "logFiles":
			p.digest = true
			i, err = p.w.skip(i)
		default:
			i, err = p.other(key, i)
		}
		return i, err
	}
}

// lowerTriggers are the lowercased keys that tell a record's keys were
// lowercased: distinctive keys of the record and its userIdentity, which no
// request parameter is likely to share.
var lowerTriggers = map[string]bool{
	"eventtime": true, "eventsource": true, "eventname": true, "useridentity": true,
	"awsregion": true, "recipientaccountid": true, "sourceipaddress": true, "useragent": true,
	"requestparameters": true, "responseelements": true, "eventversion": true,
	"principalid": true, "accountid": true, "accesskeyid": true, "sessioncontext": true,
	"sessionissuer": true, "invokedby": true,
}

// lowerKeys maps the lowercased form of every key the decoder reads to
// the key.
var lowerKeys = func() map[string][]byte {
	m := make(map[string][]byte)
	for _, k := range []string{
		"eventTime", "eventSource", "eventName", "awsRegion", "recipientAccountId", "sourceIPAddress",
		"userAgent", "errorCode", "eventID", "eventCategory", "readOnly", "managementEvent", "eventVersion",
		"userIdentity", "requestParameters", "responseElements", "Records", "Events", "CloudTrailEvent",
		"principalId", "accountId", "accessKeyId", "userName", "invokedBy", "identityProvider",
		"sessionContext", "onBehalfOf", "userId", "identityStoreArn", "sessionIssuer", "sourceIdentity",
		"webIdFederationData", "federatedProvider", "ARNPrefix", "bucketName", "x-amz-copy-source",
		"keyId", "functionName", "tableName", "queueUrl", "topicArn", "targetArn", "secretId",
		"roleName", "groupName", "policyArn", "instanceProfileName", "instanceId", "instancesSet",
		"roleArn", "roleSessionName", "externalId", "credentials",
	} {
		if l := strings.ToLower(k); l != k {
			m[l] = []byte(k)
		}
	}
	return m
}()

// errStop ends a members walk early; fields turns it into success.
var errStop = stopError{}

type stopError struct{}

func (stopError) Error() string { return "stop" }

func (p *parser) identity(i int) (int, error) {
	return p.members(i, func(key []byte, i int) (int, error) {
		var err error
		switch string(key) {
		case "type":
			p.idType, i, err = p.value(i)
		case "arn":
			p.idARN, i, err = p.value(i)
		case "accountId":
			p.idAccount, i, err = p.value(i)
		case "principalId":
			p.idPrincipalID, i, err = p.value(i)
		case "accessKeyId":
			p.ev.AccessKeyID, i, err = p.value(i)
		case "userName":
			p.idUserName, i, err = p.value(i)
		case "invokedBy":
			p.idInvokedBy, i, err = p.value(i)
		case "identityProvider":
			p.idProvider, i, err = p.value(i)
		case "sessionContext":
			i, err = p.sessionContext(i)
		case "onBehalfOf":
			i, err = p.members(i, func(key []byte, i int) (int, error) {
				var err error
				switch string(key) {
				case "userId":
					p.onBehalfUser, i, err = p.value(i)
				case "identityStoreArn":
					p.onBehalfStore, i, err = p.value(i)
				default:
					i, err = p.other(key, i)
				}
				return i, err
			})
		default:
			i, err = p.other(key, i)
		}
		return i, err
	})
}

func (p *parser) sessionContext(i int) (int, error) {
	return p.members(i, func(key []byte, i int) (int, error) {
		var err error
		switch string(key) {
		case "sessionIssuer":
			i, err = p.members(i, func(key []byte, i int) (int, error) {
				var err error
				switch string(key) {
				case "arn":
					p.issuerARN, i, err = p.value(i)
				case "accountId":
					p.issuerAccount, i, err = p.value(i)
				default:
					i, err = p.other(key, i)
				}
				return i, err
			})
		case "sourceIdentity":
			p.ev.SourceIdentity, i, err = p.value(i)
		case "webIdFederationData":
			i, err = p.members(i, func(key []byte, i int) (int, error) {
				var err error
				if string(key) == "federatedProvider" {
					p.idProvider, i, err = p.value(i)
				} else {
					i, err = p.other(key, i)
				}
				return i, err
			})
		default:
			i, err = p.other(key, i)
		}
		return i, err
	})
}

func (p *parser) resources(i int) (int, error) {
	return p.elements(i, func(i int) (int, error) {
		return p.members(i, func(key []byte, i int) (int, error) {
			switch string(key) {
			case "ARN", "arn":
				s, i, err := p.value(i)
				if s != "" {
					p.ev.Resources = append(p.ev.Resources, s)
				}
				return i, err
			case "ARNPrefix":
				s, i, err := p.value(i)
				if s != "" {
					p.ev.Resources = append(p.ev.Resources, p.concat(s, "*"))
				}
				return i, err
			}
			return p.other(key, i)
		})
	})
}

// lookupRecord decodes a record held as a JSON string, the way
// aws cloudtrail lookup-events writes it in CloudTrailEvent.
func (p *parser) lookupRecord(i int) (int, error) {
	w := p.w
	if i >= w.n || w.buf[i] != '"' {
		return w.skip(i)
	}
	end, esc, err := w.stringEnd(i + 1)
	if err != nil {
		return end, err
	}
	d := p.d
	in := &d.inner
	body := w.buf[i+1 : end-1]
	in.buf = in.buf[:0]
	if esc {
		in.buf, err = unescape(in.buf, body)
		if err != nil {
			return end, w.syntaxError(i, "CloudTrailEvent: %v", err)
		}
	} else {
		in.buf = append(in.buf, body...)
	}
	in.n = len(in.buf)
	in.buf = append(in.buf, make([]byte, pad)...)
	in.r, in.err, in.base, in.lines, in.lineStart, in.mark, in.tooLarge, in.limit = nil, nil, 0, 0, 0, 0, false, len(in.buf)
	ip := parser{w: in, ev: p.ev, d: d}
	j, ok := in.ws(0)
	if !ok || in.buf[j] != '{' {
		return end, w.syntaxErrorAt(i, ErrNotCloudTrail, "CloudTrailEvent does not hold a JSON object")
	}
	if _, err := ip.fields(j, false); err != nil {
		return end, w.syntaxErrorAt(i, ErrSyntax, "CloudTrailEvent: "+err.Error())
	}
	if !ip.record {
		return end, w.syntaxErrorAt(i, ErrNotCloudTrail, "CloudTrailEvent holds no CloudTrail record")
	}
	ip.finish()
	p.inner = true
	return end, nil
}

// concat joins strings into the arena and returns the result.
func (p *parser) concat(parts ...string) string {
	start := len(p.d.arena)
	for _, s := range parts {
		p.d.arena = append(p.d.arena, s...)
	}
	return str(p.d.arena[start:])
}

// finish derives the Event's principal fields from the identity, and
// reads what it needs from request parameters and response elements.
func (p *parser) finish() {
	ev := p.ev
	if ev.Account == "" {
		// Older records have no recipientAccountId: the call was made in
		// the caller's account, else in the account whose logs these are.
		ev.Account = p.idAccount
		if ev.Account == "" {
			ev.Account = p.d.account
		}
	}
	ev.PrincipalType = tailor.IdentityType(p.idType)
	ev.PrincipalAccount = p.idAccount
	ev.InvokedBy = p.idInvokedBy
	ev.Data = p.category == "Data" || (p.mgmtSet && !p.mgmt && p.category == "")
	switch ev.PrincipalType {
	case tailor.IdentityAssumedRole:
		ev.Principal = p.issuerARN
		part, acct, name, session, ok := splitSessionARN(p.idARN)
		if ev.Principal == "" && ok {
			ev.Principal = p.concat("arn:", part, ":iam::", acct, ":role/", name)
		}
		if ev.Principal == "" {
			ev.Principal = p.idARN
		}
		ev.SessionName = session
		if p.issuerAccount != "" {
			ev.PrincipalAccount = p.issuerAccount
		}
		// A session of a role in another account is that account's; a
		// session of one of this account's roles is attributed when its
		// AssumeRole call is joined (usage does it).
		if ev.PrincipalAccount != "" && ev.Account != "" && ev.PrincipalAccount != ev.Account {
			ev.CallerAccount = ev.PrincipalAccount
		}
	case tailor.IdentityFederatedUser:
		ev.Principal = p.issuerARN
		if ev.Principal == "" {
			ev.Principal = p.idARN
		}
		if k := strings.LastIndexByte(p.idARN, '/'); k >= 0 {
			ev.SessionName = p.idARN[k+1:]
		}
		ev.CallerAccount = p.idAccount
	case tailor.IdentityAWSService:
		ev.Principal = p.idInvokedBy
		if ev.Principal == "" {
			ev.Principal = p.idPrincipalID
		}
	case tailor.IdentitySAMLUser, tailor.IdentityWebIdentityUser:
		ev.Principal = p.idProvider
		ev.SessionName = p.idUserName
		if ev.Principal == "" {
			ev.Principal = p.idPrincipalID
		}
	case tailor.IdentityCenterUser:
		if p.onBehalfStore != "" && p.onBehalfUser != "" {
			ev.Principal = p.concat(p.onBehalfStore, "/user/", p.onBehalfUser)
		}
		ev.CallerAccount = p.idAccount
	case tailor.IdentityAWSAccount:
		if tailor.IsAccountID(p.idAccount) {
			ev.Principal = p.concat("arn:", partition(ev.Region), ":iam::", p.idAccount, ":root")
		}
		ev.CallerAccount = p.idAccount
		if _, session := splitPrincipalID(p.idPrincipalID); session != "" {
			ev.SessionName = session
		}
	default:
		ev.CallerAccount = p.idAccount
	}
	if ev.Principal == "" {
		switch {
		case p.idARN != "":
			ev.Principal = p.idARN
		case p.idType == "" && p.idInvokedBy != "":
			ev.Principal = p.idInvokedBy
			ev.PrincipalType = tailor.IdentityAWSService
		case tailor.IsAccountID(p.idAccount):
			ev.Principal = p.concat("arn:", partition(ev.Region), ":iam::", p.idAccount, ":root")
		case p.idPrincipalID != "":
			ev.Principal = p.idPrincipalID
		default:
			ev.Principal = "unknown"
		}
	}
	if ev.PrincipalType != tailor.IdentityAssumedRole && ev.CallerAccount == "" {
		ev.CallerAccount = p.idAccount
	}
	if p.nspans > 0 || len(ev.RequestParams) > 0 || p.resp.end > p.resp.start {
		p.parameters()
	}
	if len(ev.Resources) > 1 {
		slices.Sort(ev.Resources)
		ev.Resources = slices.Compact(ev.Resources)
	}
}

// splitSessionARN splits arn:aws:sts::111122223333:assumed-role/Name/Session
// into the parts of the role ARN it implies (partition, account, name: the
// session ARN does not show the role's path) and the session name,
// without allocating.
func splitSessionARN(arn string) (partition, account, name, session string, ok bool) {
	const marker = ":assumed-role/"
	k := strings.Index(arn, marker)
	if k < 0 || !strings.HasPrefix(arn, "arn:") {
		return "", "", "", "", false
	}
	rest := arn[k+len(marker):]
	name = rest
	if slash := strings.IndexByte(rest, '/'); slash >= 0 {
		name, session = rest[:slash], rest[slash+1:]
	}
	// arn:PARTITION:sts::ACCOUNT
	head := arn[len("arn:"):k]
	c := strings.IndexByte(head, ':')
	if c < 0 {
		return "", "", "", "", false
	}
	partition = head[:c]
	account = head[strings.LastIndexByte(head, ':')+1:]
	return partition, account, name, session, true
}

// splitPrincipalID splits "AROAEXAMPLE:session" into its parts.
func splitPrincipalID(id string) (uid, session string) {
	if k := strings.IndexByte(id, ':'); k >= 0 {
		return id[:k], id[k+1:]
	}
	return id, ""
}

// partition returns the ARN partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	}
	return "aws"
}

// day returns the UTC day of t.
func day(t time.Time) time.Time { return t.Truncate(24 * time.Hour) }
