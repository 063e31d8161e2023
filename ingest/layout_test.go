package ingest

import (
	"testing"
	"time"
)

func TestParseLogKey(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse("2006-01-02T15:04", s); return t }
	tests := []struct {
		key  string
		ok   bool
		want LogKey
	}{
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/01/111122223333_CloudTrail_us-east-1_20261001T1205Z_abc.json.gz", true,
			LogKey{Account: "111122223333", Region: "us-east-1", Day: d("2026-10-01T00:00"), Time: d("2026-10-01T12:05")}},
		{"trail/AWSLogs/o-abc123/444455556666/CloudTrail/eu-west-1/2026/01/31/x.json.gz", true,
			LogKey{OrgID: "o-abc123", Account: "444455556666", Region: "eu-west-1", Day: d("2026-01-31T00:00")}},
		{"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/10/01/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20261001T120500Z.json.gz", true,
			LogKey{Account: "111122223333", Region: "us-east-1", Day: d("2026-10-01T00:00"), Time: d("2026-10-01T12:05"), Digest: true}},
		{"111122223333_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz", true,
			LogKey{Account: "111122223333", Region: "eu-central-1", Day: d("2017-12-11T00:00"), Time: d("2017-12-11T15:05")}},
		{"AWSLogs/111122223333/elasticloadbalancing/us-east-1/2026/10/01/x.log.gz", false, LogKey{}},
		{"exports/2024/a.json.gz", false, LogKey{}},
	}
	for _, tt := range tests {
		got, ok := ParseLogKey(tt.key)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseLogKey(%q) = %+v, %v; want %+v, %v", tt.key, got, ok, tt.want, tt.ok)
		}
	}
}

// TestMatchKey: a file may hold records from MaxDeliveryLag before its
// delivery minute to the end of that minute; it is kept exactly when that
// span meets the filter's window.
func TestMatchKey(t *testing.T) {
	at := time.Date(2026, 10, 1, 12, 5, 0, 0, time.UTC)
	k := LogKey{Account: "111122223333", Region: "us-east-1", Day: at.Truncate(24 * time.Hour), Time: at}
	tests := []struct {
		f    Filter
		want bool
	}{
		{Filter{}, true},
		{Filter{Accounts: []string{"999999999999"}}, false},
		{Filter{Regions: []string{"us-east-1", "eu-west-1"}}, true},
		{Filter{Regions: []string{"eu-west-1"}}, false},
		{Filter{Since: at}, true},                       // records of 12:05:xx
		{Filter{Since: at.Add(time.Minute)}, false},     // all records are older
		{Filter{Until: at.Add(-MaxDeliveryLag)}, false}, // all records are newer
		{Filter{Until: at.Add(-MaxDeliveryLag + time.Second)}, true},
		{Filter{Since: at.Add(-time.Hour), Until: at.Add(-time.Minute)}, true},
	}
	for _, tt := range tests {
		if got := tt.f.MatchKey(k); got != tt.want {
			t.Errorf("%+v: MatchKey = %v, want %v", tt.f, got, tt.want)
		}
	}
	day := LogKey{Day: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
	if day.Day.IsZero() || (&Filter{Since: day.Day.Add(24 * time.Hour)}).MatchKey(day) {
		t.Error("a day folder ending at Since is kept")
	}
	if !(&Filter{Since: day.Day.Add(24*time.Hour - time.Second)}).MatchKey(day) {
		t.Error("a day folder reaching past Since is dropped")
	}
}

func TestPruneDir(t *testing.T) {
	f := &Filter{Accounts: []string{"111122223333"}, Regions: []string{"us-east-1"},
		Since: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC)}
	tests := map[string]bool{
		"AWSLogs":                                              false,
		"AWSLogs/444455556666":                                 true,
		"AWSLogs/o-org/111122223333":                           false,
		"AWSLogs/111122223333/CloudTrail-Digest":               true,
		"AWSLogs/111122223333/CloudTrail/eu-west-1":            true,
		"AWSLogs/111122223333/CloudTrail/us-east-1/2025":       true,
		"AWSLogs/111122223333/CloudTrail/us-east-1/2026":       false,
		"AWSLogs/111122223333/CloudTrail/us-east-1/2026/09":    true,
		"AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/02": false,
		"AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/03": false, // records of 10/02 late in the day
		"AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/04": true,
		"AWSLogs/111122223333/CloudTrail/us-east-1/2026/09/30": true,
		"other/dir": false,
	}
	for dir, want := range tests {
		if got := pruneDir(dir, f); got != want {
			t.Errorf("pruneDir(%q) = %v, want %v", dir, got, want)
		}
	}
}
