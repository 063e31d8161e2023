package usage

import (
	"strings"
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
	// KindSource rows record the log objects an index was built from:
	// Resource names the object (a path, s3://bucket/key, archive.zip:member),
	// Session holds its ETag where the source has one, Calls the records
	// it held, Errors 1 when it could not be read whole; Day, Account and
	// Region are those its key shows, FirstSeen its delivery time, and
	// Denied counts the records the run's time window left out. A run
	// resumed from a checkpoint skips them all; tailor ingest --append
	// skips those read whole (Denied 0).
	KindSource Kind = "source"
)

// Key identifies a row. Day is a UTC midnight.
type Key struct {
	Kind          Kind
	Day           time.Time
	Account       string // recipient account
	Principal     string // principal ARN (role ARN for sessions)
	PrincipalType string // userIdentity.type
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
	Calls     int64 // all calls, including those that failed
	Denied    int64 // calls refused for lack of permission
	Errors    int64 // calls that failed otherwise
	FirstSeen time.Time
	LastSeen  time.Time
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

// cell is a row as a table holds it: the counters and the resource,
// beside the group that holds the rest of the key.
type cell struct {
	resource              string
	calls, denied, errors int64
	first, last           int64 // Unix milliseconds
	data                  bool
	level                 uint8   // fold level of resource: 0 for one resource
	sketch                *sketch // distinct folded resources; nil unless folded
}

// add folds o's counters into c.
func (c *cell) add(o *cell) {
	c.calls += o.calls
	c.denied += o.denied
	c.errors += o.errors
	if o.first < c.first {
		c.first = o.first
	}
	if o.last > c.last {
		c.last = o.last
	}
	c.data = c.data || o.data
	if o.level > c.level {
		c.level = o.level
	}
	if o.sketch != nil {
		if c.sketch == nil {
			c.sketch = new(sketch)
		}
		c.sketch.merge(o.sketch)
	}
}

// addOne folds into c, a row folded at level lvl, the cell o of one
// resource that folds into it: what refold(o, lvl) and c.add(o) do, without
// a sketch for o.
func (c *cell) addOne(o *cell, lvl uint8) {
	c.calls += o.calls
	c.denied += o.denied
	c.errors += o.errors
	c.first = min(c.first, o.first)
	c.last = max(c.last, o.last)
	c.data = c.data || o.data
	c.level = max(c.level, lvl)
	if c.sketch == nil {
		c.sketch = new(sketch)
	}
	c.sketch.add(o.resource)
}

// clone returns a copy of c that shares no sketch with it.
func (c *cell) clone() *cell {
	d := *c
	if c.sketch != nil {
		s := *c.sketch
		d.sketch = &s
	}
	return &d
}

// row materializes c of the group with key k.
func (c *cell) row(k *Key) *Row {
	r := new(Row)
	c.fill(r, k)
	return r
}

// fill sets r to c of the group with key k.
func (c *cell) fill(r *Row, k *Key) {
	*r = Row{
		Key:       *k,
		Calls:     c.calls,
		Denied:    c.denied,
		Errors:    c.errors,
		FirstSeen: time.UnixMilli(c.first).UTC(),
		LastSeen:  time.UnixMilli(c.last).UTC(),
		Data:      c.data,
		sketch:    c.sketch,
		level:     c.level,
	}
	r.Resource = c.resource
	if c.sketch != nil {
		r.Folded = c.sketch.estimate()
	}
}

// cellOf returns the counters of r as a cell.
func cellOf(r *Row) *cell {
	return &cell{
		resource: r.Resource, calls: r.Calls, denied: r.Denied, errors: r.Errors,
		first: r.FirstSeen.UnixMilli(), last: r.LastSeen.UnixMilli(),
		data: r.Data, level: r.level, sketch: r.sketch,
	}
}

// less orders rows by key: the order of rows in a written index. The
// resource comes last, so that the rows of a group are contiguous.
func less(a, b *Row) int {
	if c := lessKey(&a.Key, &b.Key); c != 0 {
		return c
	}
	return strings.Compare(a.Resource, b.Resource)
}

// lessKey orders keys without their resource.
func lessKey(a, b *Key) int {
	switch {
	case a.Kind != b.Kind:
		return strings.Compare(string(a.Kind), string(b.Kind))
	case !a.Day.Equal(b.Day):
		return a.Day.Compare(b.Day)
	case a.Account != b.Account:
		return strings.Compare(a.Account, b.Account)
	case a.Principal != b.Principal:
		return strings.Compare(a.Principal, b.Principal)
	case a.PrincipalType != b.PrincipalType:
		return strings.Compare(a.PrincipalType, b.PrincipalType)
	case a.CallerAccount != b.CallerAccount:
		return strings.Compare(a.CallerAccount, b.CallerAccount)
	case a.EventSource != b.EventSource:
		return strings.Compare(a.EventSource, b.EventSource)
	case a.EventName != b.EventName:
		return strings.Compare(a.EventName, b.EventName)
	case a.Region != b.Region:
		return strings.Compare(a.Region, b.Region)
	case a.RequestParams != b.RequestParams:
		return strings.Compare(a.RequestParams, b.RequestParams)
	}
	return strings.Compare(a.Session, b.Session)
}
