package ingest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor"
)

// parseLogKeyRef is ParseLogKey as it was written first, with
// strings.Split and time.Parse: the reference the hand-written parser must
// agree with.
func parseLogKeyRef(key string) (LogKey, bool) {
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

// FuzzParseLogKey: ParseLogKey agrees with the reference on any key.
func FuzzParseLogKey(f *testing.F) {
	for _, k := range layoutKeys(rand.New(rand.NewPCG(1, 2)), 200) {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		got, ok := ParseLogKey(key)
		want, wantOK := parseLogKeyRef(key)
		if got != want || ok != wantOK {
			t.Fatalf("ParseLogKey(%q) = %+v, %v; the reference says %+v, %v", key, got, ok, want, wantOK)
		}
	})
}

// TestParseLogKeyAgrees runs the comparison over many keys built from the
// layout's parts, valid and not.
func TestParseLogKeyAgrees(t *testing.T) {
	var timed, days int
	for _, key := range layoutKeys(rand.New(rand.NewPCG(3, 4)), 20000) {
		got, ok := ParseLogKey(key)
		want, wantOK := parseLogKeyRef(key)
		if got != want || ok != wantOK {
			t.Fatalf("ParseLogKey(%q) = %+v, %v; the reference says %+v, %v", key, got, ok, want, wantOK)
		}
		if !got.Time.IsZero() {
			timed++
		}
		if !got.Day.IsZero() {
			days++
		}
	}
	// The keys must exercise both parsers' success paths, not only their
	// failures.
	if timed < 500 || days < 500 {
		t.Errorf("only %d keys with a time and %d with a day", timed, days)
	}
}

func pickInt(r *rand.Rand, a, b int) int {
	if r.IntN(2) == 0 {
		return a
	}
	return b
}

// layoutKeys returns n keys mixing the parts of the CloudTrail layout
// with near misses: bad dates and times, other services, odd separators.
func layoutKeys(r *rand.Rand, n int) []string {
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	// num is mostly a number in [lo, hi], sometimes one past either end.
	num := func(lo, hi int) string {
		if r.IntN(5) == 0 {
			return fmt.Sprintf("%02d", pickInt(r, lo-1, hi+1))
		}
		return fmt.Sprintf("%02d", lo+r.IntN(hi-lo+1))
	}
	var out []string
	for range n {
		var b strings.Builder
		b.WriteString(pick("", "trail/", "a/b/", "AWSLogs/", "x\\"))
		b.WriteString(pick("AWSLogs/", "AWSLogs/", "AWSLogs/", "AWSLogs", "awslogs/", ""))
		b.WriteString(pick("", "o-abc123/", "o-/"))
		acct := pick("111122223333", "111122223333", "111122223333", "11112222333", "abcdefghijkl", "")
		b.WriteString(acct + pick("/", "/", "/", ""))
		b.WriteString(pick("CloudTrail/", "CloudTrail/", "CloudTrail/", "CloudTrail-Digest/", "CloudTrail-Insight/", "elasticloadbalancing/", ""))
		region := pick("us-east-1", "eu-west-1", "")
		b.WriteString(region + pick("/", "/", "/", "", "//"))
		y, m, d := pick("2026", "2024", "2024", "2100", "202", "20261"), num(1, 12), num(1, 31)
		b.WriteString(y + "/" + m + "/" + d + pick("/", "/", "/", "", "/x/"))
		stamp := y + m + d + "T" + num(0, 23) + num(0, 59) + pick("Z", "Z", num(0, 59)+"Z", "", "5Z")
		b.WriteString(pick(acct, acct, acct, "999988887777", "") + "_" + pick("CloudTrail", "CloudTrail", "CloudTrail-Digest", "CloudTrail-Insight", "Other") +
			"_" + region + pick("_", "_", "_trail_us-east-1_", "") + stamp + pick("_Ab12.json.gz", ".json.gz", "_x", ""))
		out = append(out, b.String())
	}
	return append(out, "", "/", "AWSLogs", "_", "a_b_c_d", "111122223333_CloudTrail_r_20260229T0000Z.json.gz",
		"111122223333_CloudTrail_r_20240229T2359Z.json.gz", "111122223333_CloudTrail_r_20240230T0000Z.json.gz")
}
