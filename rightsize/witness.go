package rightsize

import (
	"fmt"
	"strings"
	"time"

	"github.com/tailor-sec/tailor/account"
)

// witness is IAM's last-accessed report of a principal, the second witness
// beside the logs. It speaks where the logs cannot: an action the logs
// cannot show that IAM saw used in the window is kept, and one whose
// service (or the action itself) IAM tracked over the whole window without
// seeing it used may go. It says "not used" only when the report covers
// the whole window: IAM tracked it from before the window's start to after
// its end, in every Region the logs hold.
type witness struct {
	la           *account.LastAccessed
	since, until time.Time
	// regions: IAM collects last-accessed data in every Region of the
	// window's logs since before the window began.
	regions bool
	// date is the report's completion, for the reasons.
	date string
}

// newWitness returns the witness of a report for a window, or nil when
// there is no complete report.
func newWitness(la *account.LastAccessed, win *Window) *witness {
	if !la.Complete() || win.Since.IsZero() || win.Until.IsZero() {
		return nil
	}
	w := &witness{la: la, since: win.Since, until: win.Until, regions: true,
		date: la.JobCompletionDate.UTC().Format(time.DateOnly)}
	for _, r := range win.Regions {
		if start, ok := account.TrackingRegionStart(r); !ok || start.After(win.Since) {
			w.regions = false
		}
	}
	return w
}

// verdict is what the witness says of an action: seen used in the window,
// not seen over all of it, or nothing; acc is the entry it rests on and
// actionLevel whether that entry is the action's own (else its service's).
func (w *witness) verdict(action string) (v account.AccessVerdict, acc account.Access, actionLevel bool) {
	acc, actionLevel = w.la.Action(action), true
	if !acc.Tracked {
		ns, _, _ := strings.Cut(action, ":")
		acc, actionLevel = w.la.Service(ns), false
	}
	v = acc.Since(w.since)
	if v == account.AccessNotSeen && (acc.Until.Before(w.until) || !w.regions) {
		v = account.AccessUnknown // the report ends before the window does, or misses a Region
	}
	return v, acc, actionLevel
}

// seen explains a use IAM saw.
func (w *witness) seen(acc account.Access, actionLevel bool, action string) string {
	what := "the action"
	if !actionLevel {
		ns, _, _ := strings.Cut(action, ":")
		what = "service " + ns
	}
	where := ""
	if acc.Region != "" {
		where = " in " + acc.Region
	}
	return fmt.Sprintf("IAM last accessed (report of %s): %s used %s%s", w.date, what, acc.Last.UTC().Format(time.DateOnly), where)
}

// notSeen explains a removal IAM's record supports.
func (w *witness) notSeen(acc account.Access, actionLevel bool, action string) string {
	what := "the action"
	if !actionLevel {
		ns, _, _ := strings.Cut(action, ":")
		what = "service " + ns
	}
	last := "never"
	if !acc.Last.IsZero() {
		last = "last " + acc.Last.UTC().Format(time.DateOnly)
	}
	return fmt.Sprintf("IAM last accessed (report of %s): %s not used from %s to %s (%s)", w.date, what,
		acc.From.UTC().Format(time.DateOnly), acc.Until.UTC().Format(time.DateOnly), last)
}
