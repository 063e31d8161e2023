package s3

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/ingest"
)

func TestParseURI(t *testing.T) {
	tests := []struct {
		uri, bucket, prefix string
		bad                 bool
	}{
		{uri: "s3://trail", bucket: "trail", prefix: ""},
		{uri: "s3://trail/", bucket: "trail", prefix: ""},
		{uri: "s3://trail/logs", bucket: "trail", prefix: "logs/"},
		{uri: "s3://trail/logs/", bucket: "trail", prefix: "logs/"},
		{uri: "s3://my.trail-bucket/a/b", bucket: "my.trail-bucket", prefix: "a/b/"},
		{uri: "s3://trail/AWSLogs/1/x.json.gz", bucket: "trail", prefix: "AWSLogs/1/x.json.gz"},
		{uri: "s3://trail/export.zip", bucket: "trail", prefix: "export.zip"},
		{uri: "s3://trail/v1.2", bucket: "trail", prefix: "v1.2/"},
		{uri: "trail/logs", bad: true},
		{uri: "s3:/trail", bad: true},
		{uri: "https://trail.s3.amazonaws.com/x", bad: true},
		{uri: "s3://", bad: true},
		{uri: "s3://ab", bad: true},
		{uri: "s3://Upper", bad: true},
		{uri: "s3://-trail", bad: true},
		{uri: "s3://trail-", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			b, p, err := ParseURI(tt.uri)
			if tt.bad {
				if err == nil {
					t.Errorf("ParseURI(%q) = %q, %q; want an error", tt.uri, b, p)
				}
				return
			}
			if err != nil || b != tt.bucket || p != tt.prefix {
				t.Errorf("ParseURI(%q) = %q, %q, %v; want %q, %q", tt.uri, b, p, err, tt.bucket, tt.prefix)
			}
		})
	}
}

func TestPlanRoot(t *testing.T) {
	tests := []struct {
		prefix  string
		ok      bool
		level   level
		node    string // the node's prefix
		org     string
		account string
		region  string
		year    int
		month   int
	}{
		{prefix: "", ok: true, level: levelAWSLogs, node: "AWSLogs/"},
		{prefix: "trail/", ok: true, level: levelAWSLogs, node: "trail/AWSLogs/"},
		{prefix: "a/b/", ok: true, level: levelAWSLogs, node: "a/b/AWSLogs/"},
		{prefix: "trail/AWSLogs/", ok: true, level: levelAWSLogs, node: "trail/AWSLogs/"},
		{prefix: "AWSLogs/o-abc123/", ok: true, level: levelOrg, node: "AWSLogs/o-abc123/", org: "o-abc123"},
		{prefix: "AWSLogs/o-abc123/111122223333/", ok: true, level: levelAccount, node: "AWSLogs/o-abc123/111122223333/",
			org: "o-abc123", account: "111122223333"},
		{prefix: "AWSLogs/111122223333/", ok: true, level: levelAccount, node: "AWSLogs/111122223333/", account: "111122223333"},
		{prefix: "AWSLogs/111122223333/CloudTrail/", ok: true, level: levelTrail, node: "AWSLogs/111122223333/CloudTrail/", account: "111122223333"},
		{prefix: "AWSLogs/111122223333/CloudTrail/eu-west-1/", ok: true, level: levelRegion,
			node: "AWSLogs/111122223333/CloudTrail/eu-west-1/", account: "111122223333", region: "eu-west-1"},
		{prefix: "AWSLogs/111122223333/CloudTrail/eu-west-1/2024/", ok: true, level: levelYear,
			node: "AWSLogs/111122223333/CloudTrail/eu-west-1/2024/", account: "111122223333", region: "eu-west-1", year: 2024},
		{prefix: "x/AWSLogs/o-a/111122223333/CloudTrail/eu-west-1/2024/02/", ok: true, level: levelMonth,
			node: "x/AWSLogs/o-a/111122223333/CloudTrail/eu-west-1/2024/02/", org: "o-a", account: "111122223333", region: "eu-west-1", year: 2024, month: 2},
		{prefix: "AWSLogs/111122223333/CloudTrail/eu-west-1/2024/02/29/", ok: true, level: levelDay,
			node: "AWSLogs/111122223333/CloudTrail/eu-west-1/2024/02/29/", account: "111122223333", region: "eu-west-1", year: 2024, month: 2},
		// Not in the layout: listed recursively.
		{prefix: "AWSLogs/111122223333/CloudTrail/eu-west-1/2023/02/29/"}, // no such day
		{prefix: "AWSLogs/111122223333/CloudTrail-Digest/"},
		{prefix: "AWSLogs/111122223333/elasticloadbalancing/"},
		{prefix: "AWSLogs/notanaccount/"},
		{prefix: "AWSLogs/111122223333/CloudTrail/eu-west-1/24/"},
		{prefix: "AWSLogs/111122223333/CloudTrail/eu-west-1/2024/13/"},
		{prefix: "AWSLogs/111122223333/CloudTrail/eu-west-1/2024/01/01/extra/"},
		{prefix: "AWSLogs/1/x.json.gz"},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			n, ok := planRoot(tt.prefix)
			if ok != tt.ok {
				t.Fatalf("planRoot(%q) ok = %v, want %v", tt.prefix, ok, tt.ok)
			}
			if !ok {
				return
			}
			got := fmt.Sprintf("%d %s %s %s %s %d %d", n.level, n.prefix, n.org, n.account, n.region, n.year, n.month)
			want := fmt.Sprintf("%d %s %s %s %s %d %d", tt.level, tt.node, tt.org, tt.account, tt.region, tt.year, tt.month)
			if got != want {
				t.Errorf("planRoot(%q) = %s\nwant            %s", tt.prefix, got, want)
			}
		})
	}
}

// TestDayPruningAgreesWithMatchKey checks that a day folder is pruned
// exactly when Filter.MatchKey rejects every delivery time in that day:
// pruning never drops a file MatchKey would keep, and lists no day whose
// files MatchKey would all drop.
func TestDayPruningAgreesWithMatchKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	base := day(2024, 2, 27)
	minute := func() time.Time { return base.Add(time.Duration(rng.IntN(5*24*60)) * time.Minute) }
	for i := 0; i < 300; i++ {
		var f ingest.Filter
		if rng.IntN(4) > 0 {
			f.Since = minute()
		}
		if rng.IntN(4) > 0 {
			f.Until = minute()
		}
		for d := base.AddDate(0, 0, -1); d.Before(base.AddDate(0, 0, 6)); d = d.AddDate(0, 0, 1) {
			any := false
			for m := 0; m < 24*60 && !any; m++ {
				any = f.MatchKey(ingest.LogKey{Time: d.Add(time.Duration(m) * time.Minute)})
			}
			n := &node{prefix: "AWSLogs/111122223333/CloudTrail/r/" + d.Format("2006/01/02") + "/", level: levelDay}
			if got := allows(&f, n); got != any {
				t.Fatalf("since %v until %v day %v: pruning keeps=%v, MatchKey keeps some minute=%v",
					f.Since, f.Until, d.Format(time.DateOnly), got, any)
			}
		}
	}
}

func TestYearMonthPruning(t *testing.T) {
	tests := []struct {
		name         string
		since, until time.Time
		level        level
		year, month  int
		want         bool
	}{
		{"year-before-since", day(2024, 1, 1), time.Time{}, levelYear, 2023, 0, false},
		{"year-of-since", day(2024, 6, 1), time.Time{}, levelYear, 2024, 0, true},
		{"year-after-until", time.Time{}, day(2024, 1, 1), levelYear, 2025, 0, false},
		{"year-starting-within-lag-of-until", time.Time{}, day(2024, 1, 1), levelYear, 2024, 0, true},
		{"year-starting-past-lag", time.Time{}, day(2023, 12, 31).Add(21 * time.Hour), levelYear, 2024, 0, false},
		{"month-before-since", day(2024, 3, 1), time.Time{}, levelMonth, 2024, 2, false},
		{"month-of-since", day(2024, 3, 31).Add(23 * time.Hour), time.Time{}, levelMonth, 2024, 3, true},
		{"month-after-until", time.Time{}, day(2024, 3, 15), levelMonth, 2024, 4, false},
		{"unbounded", time.Time{}, time.Time{}, levelMonth, 1999, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ingest.Filter{Since: tt.since, Until: tt.until}
			n := &node{level: tt.level, year: tt.year, month: tt.month}
			if got := allows(&f, n); got != tt.want {
				t.Errorf("allows = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEnumerateDays(t *testing.T) {
	tests := []struct {
		name         string
		since, until time.Time
		want         []string // nil: discover instead
	}{
		{"one-day", day(2024, 1, 31), day(2024, 2, 1), []string{"2024-01-31", "2024-02-01"}},
		{"midday-window", day(2024, 1, 31).Add(6 * time.Hour), day(2024, 1, 31).Add(12 * time.Hour), []string{"2024-01-31"}},
		{"until-within-lag-of-midnight", day(2024, 1, 31).Add(6 * time.Hour), day(2024, 1, 31).Add(23 * time.Hour), []string{"2024-01-31", "2024-02-01"}},
		{"leap-day", day(2024, 2, 28).Add(12 * time.Hour), day(2024, 3, 1).Add(time.Hour), []string{"2024-02-28", "2024-02-29", "2024-03-01"}},
		{"empty-window", day(2024, 2, 1), day(2024, 2, 1), nil},
		{"since-only", day(2024, 2, 1), time.Time{}, nil},
		{"too-long", day(2024, 1, 1), day(2024, 6, 1), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			days, ok := enumerateDays(&ingest.Filter{Since: tt.since, Until: tt.until})
			if ok != (tt.want != nil) {
				t.Fatalf("enumerate = %v, want %v", ok, tt.want != nil)
			}
			var got []string
			for _, d := range days {
				got = append(got, d.Format(time.DateOnly))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) && tt.want != nil {
				t.Errorf("days = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIsLogName(t *testing.T) {
	for name, want := range map[string]bool{
		"a/111122223333_CloudTrail_us-east-1_20240131T0005Z_x.json.gz": true,
		"x.json": true, "x.JSON.GZ": true, "x.jsonl": true, "x.ndjson": true, "x.zip": true, "x.gz": true,
		"x.txt": false, "a/": false, "a/.gz": false, "README.md": false, "dir.json/x": false,
	} {
		if got := isLogName(name); got != want {
			t.Errorf("isLogName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestBackoff(t *testing.T) {
	base, max := 100*time.Millisecond, 2*time.Second
	for attempt := 1; attempt <= 40; attempt++ {
		ceil := base << (attempt - 1)
		if attempt > 10 || ceil > max {
			ceil = max
		}
		for i := 0; i < 50; i++ {
			d := backoff(attempt, base, max)
			if d < ceil/2 || d > ceil {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, d, ceil/2, ceil)
			}
		}
	}
}

func TestRangeStart(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"bytes 100-999/1000", 100, true},
		{"bytes 0-0/1", 0, true},
		{"bytes */1000", 0, false},
		{"", 0, false},
		{"items 1-2/3", 0, false},
	}
	for _, tt := range tests {
		got, ok := rangeStart(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("rangeStart(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
