package usage

import (
	"time"
)

// Kind tells what a row of the index records.
type Kind string

const (
	// KindCall rows count the calls of one principal: the index proper.
	KindCall Kind = "call"
	// KindCoverage rows count every record the logs held for a day,
	// account and region, whatever the filters on principals: they tell
	// which days, accounts and regions had logs. EventSource is empty for
	// management events, and names the source for data events.
	KindCoverage Kind = "coverage"
	// KindSession rows record a role session created from another
	// account: Principal is the role, CallerAccount the account that
	// assumed it, Session the temporary access key id.
	KindSession Kind = "session"
	// KindPending rows are call rows of a role session whose AssumeRole
	// call was not in the logs read yet. Only partial indexes (shards)
	// keep them, so that a merge can attribute them.
	KindPending Kind = "pending"
)

// Key identifies a row. Day is a UTC midnight.
type Key struct {
	Kind          Kind
	Day           time.Time
	Account       string // recipient account
	Principal     string // principal ARN (role ARN for sessions)
	CallerAccount string // the other account a session came from, else ""
	EventSource   string
	EventName     string
	// Resource is an ARN, or a folded prefix ending in "*". The row with
	// an empty Resource totals the calls of its group (rows that differ
	// only by resource); a row with a resource counts the calls that
	// touched it, so a call that touched two resources counts in both.
	Resource string
	Region   string
	// RequestParams lists, comma-separated, the conditional request
	// parameters the calls carried (see tailor.Event.RequestParams).
	RequestParams string
	// Session is the temporary access key id of KindSession and
	// KindPending rows; "" otherwise.
	Session string
}

// Row is one row of the usage index.
type Row struct {
	Key
	PrincipalType string
	Calls         int64 // all calls, including those that failed
	Denied        int64 // calls refused for lack of permission
	Errors        int64 // calls that failed otherwise
	FirstSeen     time.Time
	LastSeen      time.Time
	// Data is set when the calls were data events.
	Data bool
	// Folded is the number of distinct resources folded into Resource (an
	// estimate past a few hundred), or 0 when Resource is one resource.
	Folded int64

	sketch *sketch // distinct folded resources; nil unless folded
	level  uint8   // fold level of Resource: 0 for one resource
}

// Succeeded returns the number of calls that succeeded.
func (r *Row) Succeeded() int64 { return r.Calls - r.Denied - r.Errors }

// add folds o's counters into r.
func (r *Row) add(o *Row) {
	r.Calls += o.Calls
	r.Denied += o.Denied
	r.Errors += o.Errors
	if o.FirstSeen.Before(r.FirstSeen) || r.FirstSeen.IsZero() {
		r.FirstSeen = o.FirstSeen
	}
	if o.LastSeen.After(r.LastSeen) {
		r.LastSeen = o.LastSeen
	}
	r.Data = r.Data || o.Data
	if o.level > r.level {
		r.level = o.level
	}
	if o.PrincipalType != "" && (r.PrincipalType == "" || o.PrincipalType < r.PrincipalType) {
		r.PrincipalType = o.PrincipalType
	}
	if o.sketch != nil {
		if r.sketch == nil {
			r.sketch = new(sketch)
		}
		r.sketch.merge(o.sketch)
	}
}

// appendGroupKey appends an encoding of k without its resource that is
// unique to it: the fields joined by a byte that never occurs in them.
func appendGroupKey(b []byte, k *Key) []byte {
	b = append(b, k.Kind...)
	b = append(b, sep)
	b = appendDay(b, k.Day)
	return appendFields(b, k.Account, k.Principal, k.CallerAccount, k.EventSource, k.EventName, k.Region, k.RequestParams, k.Session)
}

const sep = 0

func appendDay(b []byte, d time.Time) []byte {
	n := d.Unix() / 86400
	return append(b, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func appendFields(b []byte, fields ...string) []byte {
	for _, f := range fields {
		b = append(b, f...)
		b = append(b, sep)
	}
	return b
}

// less orders rows by key: the order of rows in a written index.
func less(a, b *Row) int {
	switch {
	case a.Kind != b.Kind:
		return cmpString(string(a.Kind), string(b.Kind))
	case !a.Day.Equal(b.Day):
		return a.Day.Compare(b.Day)
	case a.Account != b.Account:
		return cmpString(a.Account, b.Account)
	case a.Principal != b.Principal:
		return cmpString(a.Principal, b.Principal)
	case a.CallerAccount != b.CallerAccount:
		return cmpString(a.CallerAccount, b.CallerAccount)
	case a.EventSource != b.EventSource:
		return cmpString(a.EventSource, b.EventSource)
	case a.EventName != b.EventName:
		return cmpString(a.EventName, b.EventName)
	case a.Resource != b.Resource:
		return cmpString(a.Resource, b.Resource)
	case a.Region != b.Region:
		return cmpString(a.Region, b.Region)
	case a.RequestParams != b.RequestParams:
		return cmpString(a.RequestParams, b.RequestParams)
	}
	return cmpString(a.Session, b.Session)
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
