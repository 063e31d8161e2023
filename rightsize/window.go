package rightsize

import (
	"slices"
	"time"

	"github.com/tailor-sec/tailor/usage"
)

const day = 24 * time.Hour

// Window is the span of usage a suggestion rests on, and what the logs
// read held in it.
type Window struct {
	// Since and Until bound the window; days are UTC.
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Days is the number of days the window touches; DaysWithLogs those
	// for which the logs held any record of the principal's account.
	Days         int `json:"days"`
	DaysWithLogs int `json:"daysWithLogs"`
	// MissingDays are the days without any record, in order.
	MissingDays []time.Time `json:"missingDays,omitempty"`
	// Accounts and Regions had records in the window.
	Accounts []string `json:"accounts"`
	Regions  []string `json:"regions"`
	// DataEventSources are the event sources whose data events the logs
	// hold in the window ("s3.amazonaws.com", ...).
	DataEventSources []string `json:"dataEventSources"`
}

// Complete reports whether every day of the window had logs.
func (w *Window) Complete() bool { return w.Days > 0 && len(w.MissingDays) == 0 }

// coverage is what the coverage rows of an index say.
type coverage struct {
	since, until time.Time
	// days maps an account to the days (Unix day numbers) it had logs.
	days    map[string]map[int64]bool
	anyDays map[int64]bool
	regions map[string]bool
	data    map[string]bool // event sources with data events in the window
}

// newCoverage reads the coverage rows of an index and fixes the window.
func newCoverage(meta *usage.Meta, rows []*usage.Row, since, until time.Time) *coverage {
	if since.IsZero() {
		since = meta.Since
	}
	if until.IsZero() {
		until = meta.Until
	}
	if since.IsZero() || until.IsZero() {
		var first, last time.Time
		for _, r := range rows {
			if first.IsZero() || r.Day.Before(first) {
				first = r.Day
			}
			if r.Day.After(last) {
				last = r.Day
			}
		}
		if since.IsZero() {
			since = first
		}
		if until.IsZero() && !last.IsZero() {
			until = last.Add(day)
		}
	}
	c := &coverage{since: since, until: until, days: map[string]map[int64]bool{}, anyDays: map[int64]bool{},
		regions: map[string]bool{}, data: map[string]bool{}}
	for _, r := range rows {
		if !c.inWindow(r.Day) || r.Calls == 0 {
			continue
		}
		d := r.Day.Unix() / 86400
		m := c.days[r.Account]
		if m == nil {
			m = map[int64]bool{}
			c.days[r.Account] = m
		}
		m[d] = true
		c.anyDays[d] = true
		if r.Region != "" {
			c.regions[r.Region] = true
		}
		if r.EventSource != "" {
			c.data[r.EventSource] = true
		}
	}
	return c
}

// inWindow reports whether day d (a UTC midnight) is in the window, by the
// rule of usage.Query.
func (c *coverage) inWindow(d time.Time) bool {
	if !c.since.IsZero() && !d.Add(day).After(c.since) {
		return false
	}
	return c.until.IsZero() || d.Before(c.until)
}

// window describes the window for a principal of the given account ("" for
// any account).
func (c *coverage) window(account string) Window {
	w := Window{Since: c.since, Until: c.until}
	days := c.anyDays
	if account != "" {
		days = c.days[account]
	}
	if !c.since.IsZero() && !c.until.IsZero() {
		first := c.since.UTC().Truncate(day)
		for d := first; d.Before(c.until); d = d.Add(day) {
			w.Days++
			if days[d.Unix()/86400] {
				w.DaysWithLogs++
			} else {
				w.MissingDays = append(w.MissingDays, d)
			}
		}
	}
	for a := range c.days {
		w.Accounts = append(w.Accounts, a)
	}
	for r := range c.regions {
		w.Regions = append(w.Regions, r)
	}
	for s := range c.data {
		w.DataEventSources = append(w.DataEventSources, s)
	}
	slices.Sort(w.Accounts)
	slices.Sort(w.Regions)
	slices.Sort(w.DataEventSources)
	return w
}
