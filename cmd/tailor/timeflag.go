package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseTimeFlag reads a time for --since/--until: an RFC 3339 time
// ("2026-10-01T12:00:00Z"), a date ("2026-10-01", midnight UTC), or a
// duration before now ("90d", "2w", "36h", "30m").
func parseTimeFlag(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if len(s) >= 2 {
		n, err := strconv.Atoi(s[:len(s)-1])
		if err == nil && n >= 0 {
			var d time.Duration
			switch s[len(s)-1] {
			case 'd':
				d = time.Duration(n) * 24 * time.Hour
			case 'w':
				d = time.Duration(n) * 7 * 24 * time.Hour
			case 'h':
				d = time.Duration(n) * time.Hour
			case 'm':
				d = time.Duration(n) * time.Minute
			}
			if d > 0 || n == 0 {
				return now.Add(-d).UTC(), nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q: want an RFC 3339 time, a date (2006-01-02) or an age (90d, 2w, 36h)", s)
}

// window parses --since and --until.
func parseWindow(since, until string, now time.Time) (time.Time, time.Time, error) {
	s, err := parseTimeFlag(since, now)
	if err != nil {
		return s, s, flagErrorf("--since: %v", err)
	}
	u, err := parseTimeFlag(until, now)
	if err != nil {
		return s, u, flagErrorf("--until: %v", err)
	}
	if !s.IsZero() && !u.IsZero() && !s.Before(u) {
		return s, u, flagErrorf("--since %s is not before --until %s", s.Format(time.RFC3339), u.Format(time.RFC3339))
	}
	return s, u, nil
}

// splitList splits comma-separated flag values: --account a,b --account c.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}
