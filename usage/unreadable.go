package usage

import (
	"slices"
	"strings"
	"time"
)

// An UnreadableSource is a log object an index was built from that could
// not be read whole: the records before the break are in the index, those
// after it are not. Its key tells, under the CloudTrail layout, whose
// records were lost: those of Account in Region on Day.
type UnreadableSource struct {
	File    string `json:"file"`              // as messages name it: a path, s3://bucket/key
	Account string `json:"account,omitempty"` // as its key shows, or ""
	Region  string `json:"region,omitempty"`
	Day     string `json:"day,omitempty"` // yyyy-mm-dd, as its key shows, or ""
	// Records counts the records read before the break.
	Records int64 `json:"records_read"`
}

// Unreadable returns the log objects the index was built from that could
// not be read whole (the KindSource rows with Errors set), by name. An
// index that holds none is whole as far as its sources go.
func (ix *Index) Unreadable() []UnreadableSource {
	var out []UnreadableSource
	ix.Scan(Query{Kinds: []Kind{KindSource}}, func(r *Row) {
		if r.Errors == 0 || r.Resource == "" {
			return
		}
		u := UnreadableSource{File: r.Resource, Account: r.Account, Region: r.Region, Records: r.Calls}
		if r.Day.After(time.Unix(0, 0)) {
			u.Day = r.Day.Format(time.DateOnly)
		}
		out = append(out, u)
	})
	slices.SortFunc(out, func(a, b UnreadableSource) int { return strings.Compare(a.File, b.File) })
	return out
}
