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
func ParseLogKey(key string) (LogKey, bool) {
	var k LogKey
	found := false
	parts := strings.Split(strings.ReplaceAll(key, "\\", "/"), "/")
	for i, p := range parts {
		if p != "AWSLogs" {
			continue
		}
		rest := parts[i+1:]
		if len(rest) > 0 && strings.HasPrefix(rest[0], "o-") {
			k.OrgID, rest = rest[0], rest[1:]
		}
		if len(rest) < 2 || !tailor.IsAccountID(rest[0]) {
			break
		}
		switch rest[1] {
		case "CloudTrail":
		case "CloudTrail-Digest":
			k.Digest = true
		case "CloudTrail-Insight":
			k.Insight = true
		default:
			return LogKey{}, false // another service's logs (ELB, Config, ...)
		}
		k.Account = rest[0]
		found = true
		rest = rest[2:]
		if len(rest) > 0 && rest[0] != "" && len(rest) > 1 {
			k.Region = rest[0]
		}
		if len(rest) >= 4 {
			if d, err := time.Parse("2006/01/02", rest[1]+"/"+rest[2]+"/"+rest[3]); err == nil {
				k.Day = d
			}
		}
		break
	}
	// The file name repeats account, region and time, and marks digests.
	name := parts[len(parts)-1]
	if f := strings.Split(name, "_"); len(f) >= 4 && tailor.IsAccountID(f[0]) {
		switch f[1] {
		case "CloudTrail", "CloudTrail-Digest", "CloudTrail-Insight":
			found = true
			k.Digest = k.Digest || f[1] == "CloudTrail-Digest"
			k.Insight = k.Insight || f[1] == "CloudTrail-Insight"
			if k.Account == "" {
				k.Account = f[0]
			}
			if k.Region == "" {
				k.Region = f[2]
			}
			for _, s := range f[3:] {
				if k := strings.IndexByte(s, '.'); k >= 0 {
					s = s[:k] // the last field carries the extension
				}
				if t, err := time.Parse("20060102T1504Z", s); err == nil {
					k.Time = t
					break
				}
				if t, err := time.Parse("20060102T150405Z", s); err == nil {
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
