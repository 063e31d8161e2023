package ingest

import (
	"strings"
	"time"

	"github.com/tailor-sec/tailor"
)

// A LogKey is what an object key says about the log file under the
// CloudTrail delivery layout:
//
//	[prefix/]AWSLogs/[o-orgid/]<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<file>
//
// where <file> is <account>_CloudTrail_<region>_<yyyymmdd>T<hhmm>Z_<id>.json.gz.
// A bare file name in that form is understood too.
type LogKey struct {
	OrgID   string    // "o-abc123" for an organization trail, else ""
	Account string    // 12 digits
	Region  string    // "us-east-1"
	Day     time.Time // UTC midnight of the delivery day; zero if unknown
	// Time is the delivery time from the file name (minute precision);
	// zero if unknown. Records in the file are older than Time.
	Time time.Time
	// Digest is true for CloudTrail-Digest files and Insight is true for
	// CloudTrail-Insight files: neither holds API call records.
	Digest  bool
	Insight bool
}

// ParseLogKey reads the CloudTrail layout from an object key or path. It
// reports false when the key shows no part of the layout; a key that shows
// only some parts (a file name without directories) fills those.
//
// It runs twice for every file a run lists, so it parses by hand, without
// allocating.
func ParseLogKey(key string) (LogKey, bool) {
	var k LogKey
	found := false
	key = strings.ReplaceAll(key, "\\", "/")
	for rest := key; ; {
		seg, after, more := strings.Cut(rest, "/")
		if !more {
			break
		}
		if seg != "AWSLogs" {
			rest = after
			continue
		}
		// The segments after AWSLogs: [o-org/]account/CloudTrail/region/yyyy/mm/dd/...
		var parts [7]string
		n := 0
		for n < len(parts) {
			var ok bool
			parts[n], after, ok = strings.Cut(after, "/")
			n++
			if !ok {
				break
			}
		}
		p := parts[:n]
		if len(p) > 0 && strings.HasPrefix(p[0], "o-") {
			k.OrgID, p = p[0], p[1:]
		}
		if len(p) < 2 || !tailor.IsAccountID(p[0]) {
			break
		}
		switch p[1] {
		case "CloudTrail":
		case "CloudTrail-Digest":
			k.Digest = true
		case "CloudTrail-Insight":
			k.Insight = true
		default:
			return LogKey{}, false // another service's logs (ELB, Config, ...)
		}
		k.Account = p[0]
		found = true
		p = p[2:]
		if len(p) > 1 && p[0] != "" {
			k.Region = p[0]
		}
		if len(p) >= 4 {
			if d, ok := parseDay(p[1], p[2], p[3]); ok {
				k.Day = d
			}
		}
		break
	}
	// The file name repeats account, region and time, and marks digests:
	// account_CloudTrail_region_..._yyyymmddThhmmZ_id.json.gz.
	name := key[strings.LastIndexByte(key, '/')+1:]
	account, rest, _ := strings.Cut(name, "_")
	kind, rest, _ := strings.Cut(rest, "_")
	region, rest, ok := strings.Cut(rest, "_")
	if ok && tailor.IsAccountID(account) {
		switch kind {
		case "CloudTrail", "CloudTrail-Digest", "CloudTrail-Insight":
			found = true
			k.Digest = k.Digest || kind == "CloudTrail-Digest"
			k.Insight = k.Insight || kind == "CloudTrail-Insight"
			if k.Account == "" {
				k.Account = account
			}
			if k.Region == "" {
				k.Region = region
			}
			for more := true; more; {
				var s string
				s, rest, more = strings.Cut(rest, "_")
				if i := strings.IndexByte(s, '.'); i >= 0 {
					s = s[:i] // the last field carries the extension
				}
				if t, ok := parseStamp(s); ok {
					k.Time = t
					break
				}
			}
			if k.Day.IsZero() && !k.Time.IsZero() {
				k.Day = k.Time.Truncate(24 * time.Hour)
			}
		}
	}
	return k, found
}

// parseDay reads the yyyy, mm and dd of a day folder, as time.Parse with
// "2006/01/02" would.
func parseDay(yyyy, mm, dd string) (time.Time, bool) {
	if len(yyyy) != 4 || len(mm) != 2 || len(dd) != 2 {
		return time.Time{}, false
	}
	y, ok1 := digits(yyyy)
	m, ok2 := digits(mm)
	d, ok3 := digits(dd)
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(time.Month(m), y) {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), true
}

// parseStamp reads the delivery time of a file name, yyyymmddThhmmZ (log
// files) or yyyymmddThhmmssZ (digests), as time.Parse would.
func parseStamp(s string) (time.Time, bool) {
	if (len(s) != 14 && len(s) != 16) || s[8] != 'T' || s[len(s)-1] != 'Z' {
		return time.Time{}, false
	}
	t, ok := parseDay(s[0:4], s[4:6], s[6:8])
	h, ok1 := digits(s[9:11])
	m, ok2 := digits(s[11:13])
	sec, ok3 := 0, true
	if len(s) == 16 {
		sec, ok3 = digits(s[13:15])
	}
	if !ok || !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 {
		return time.Time{}, false
	}
	return t.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second), true
}

// digits reads a string of ASCII digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

// daysIn returns the number of days of month m (1 to 12) of year y.
func daysIn(m time.Month, y int) int {
	if m == time.February && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		return 29
	}
	return int(monthDays[m-1])
}

var monthDays = [12]uint8{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// MatchKey reports whether a log file with key k may hold records that f
// selects. Parts of the key that are unknown always match.
func (f *Filter) MatchKey(k LogKey) bool {
	if k.Account != "" && len(f.Accounts) > 0 && !contains(f.Accounts, k.Account) {
		return false
	}
	if k.Region != "" && len(f.Regions) > 0 && !contains(f.Regions, k.Region) {
		return false
	}
	// A file holds records from before its delivery time, by up to about
	// 15 minutes in normal operation; MaxDeliveryLag leaves a wide margin.
	// The name gives the delivery minute: records are in [first, last).
	first, last := k.Time.Add(-MaxDeliveryLag), k.Time.Add(time.Minute)
	if k.Time.IsZero() {
		if k.Day.IsZero() {
			return true
		}
		first, last = k.Day.Add(-MaxDeliveryLag), k.Day.Add(24*time.Hour)
	}
	if !f.Until.IsZero() && !first.Before(f.Until) {
		return false
	}
	if !f.Since.IsZero() && !last.After(f.Since) {
		return false
	}
	return true
}

// MaxDeliveryLag bounds how long before its delivery time a record in a
// CloudTrail log file may be. CloudTrail delivers within about 15 minutes
// of the call; the bound leaves a wide margin.
const MaxDeliveryLag = 2 * time.Hour

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
