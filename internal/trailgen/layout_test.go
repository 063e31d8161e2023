package trailgen

import (
	"testing"
	"time"
)

func TestFileTime(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct{ deliver, want string }{
		{"2026-10-01T10:00:00Z", "2026-10-01T10:05:00Z"},
		{"2026-10-01T10:04:59Z", "2026-10-01T10:05:00Z"},
		{"2026-10-01T23:58:10Z", "2026-10-02T00:00:00Z"},
	}
	for _, tt := range tests {
		if got := fileTime(at(tt.deliver)); !got.Equal(at(tt.want)) {
			t.Errorf("fileTime(%s) = %v, want %s", tt.deliver, got, tt.want)
		}
	}
}

func TestKeys(t *testing.T) {
	w := &world{trail: "management-events"}
	ft := time.Date(2026, 10, 2, 0, 5, 0, 0, time.UTC)
	tests := []struct {
		name, org, prefix, want string
		digest                  bool
	}{
		{"log", "", "", "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/02/111122223333_CloudTrail_eu-west-1_20261002T0005Z_AbCdEfGhIjKlMnOp.json.gz", false},
		{"organization log", "o-abcdefghij", "logs", "logs/AWSLogs/o-abcdefghij/111122223333/CloudTrail/eu-west-1/2026/10/02/111122223333_CloudTrail_eu-west-1_20261002T0005Z_AbCdEfGhIjKlMnOp.json.gz", false},
		{"digest", "", "", "AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/10/02/111122223333_CloudTrail-Digest_eu-west-1_management-events_eu-west-1_20261002T000500Z.json.gz", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.org, w.prefix = tt.org, tt.prefix
			got := w.logKey("111122223333", "eu-west-1", ft, "AbCdEfGhIjKlMnOp")
			if tt.digest {
				got = w.digestKey("111122223333", "eu-west-1", ft)
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestIDs(t *testing.T) {
	r := newRNG(1, 2)
	seg := accountSegment("364851209736")
	if len(seg) != 8 || seg != accountSegment("364851209736") || seg == accountSegment("364851209737") {
		t.Errorf("account segment %q is not a stable 8-character function of the account", seg)
	}
	for _, k := range []string{r.accessKey("ASIA", seg), r.accessKey("AKIA", seg)} {
		if len(k) != 20 || k[4:12] != seg {
			t.Errorf("access key %q", k)
		}
	}
	if id := r.uniqueID("AROA", seg); len(id) != 21 {
		t.Errorf("unique id %q has %d characters, want 21", id, len(id))
	}
	if a, b := mix(1, 2, 3), mix(1, 3, 2); a == b {
		t.Errorf("mix ignores the order of its parts")
	}
}
