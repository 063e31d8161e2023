package review_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/review"
)

func TestParseSeverity(t *testing.T) {
	tests := []struct {
		in   string
		want review.Severity
		err  bool
	}{
		{"critical", review.SeverityCritical, false},
		{"HIGH", review.SeverityHigh, false},
		{"Medium", review.SeverityMedium, false},
		{"low", review.SeverityLow, false},
		{"info", review.SeverityInfo, false},
		{"severe", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := review.ParseSeverity(tt.in)
			if tt.err {
				if !errors.Is(err, review.ErrSeverity) {
					t.Fatalf("error %v, want ErrSeverity", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	if !(review.SeverityCritical > review.SeverityHigh && review.SeverityHigh > review.SeverityMedium &&
		review.SeverityMedium > review.SeverityLow && review.SeverityLow > review.SeverityInfo) {
		t.Error("severities are not ordered")
	}
	b, err := json.Marshal(struct{ S review.Severity }{review.SeverityHigh})
	if err != nil || string(b) != `{"S":"high"}` {
		t.Errorf("JSON %s, %v", b, err)
	}
	var back struct{ S review.Severity }
	if err := json.Unmarshal(b, &back); err != nil || back.S != review.SeverityHigh {
		t.Errorf("round trip %v, %v", back.S, err)
	}
}

func TestCountsAtLeast(t *testing.T) {
	c := review.Counts{Critical: 1, High: 2, Medium: 3, Low: 4, Info: 5}
	for _, tt := range []struct {
		s    review.Severity
		want int
	}{{review.SeverityCritical, 1}, {review.SeverityHigh, 3}, {review.SeverityMedium, 6}, {review.SeverityLow, 10}, {review.SeverityInfo, 15}} {
		if got := c.AtLeast(tt.s); got != tt.want {
			t.Errorf("AtLeast(%v) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestMask(t *testing.T) {
	a, b := review.Mask("1d30edd96aedb4aba7a577897c1e930c"), review.Mask("1d30edd96aedb4aba7a577897c1e930c")
	c := review.Mask("lw-yJKmoUm3iI3sFCfwHYYIAF")
	if a != b {
		t.Error("the same value masks differently")
	}
	if a.Fingerprint == c.Fingerprint {
		t.Error("two values share a fingerprint")
	}
	if a.Length != 32 || c.Length != 25 {
		t.Errorf("lengths %d %d, want 32 25", a.Length, c.Length)
	}
	if !strings.HasPrefix(a.Fingerprint, "sha256:") || len(a.Fingerprint) != len("sha256:")+8 {
		t.Errorf("fingerprint %q, want sha256: and 8 hex digits", a.Fingerprint)
	}
	if s := a.String(); strings.Contains(s, "1d30edd9") || !strings.Contains(s, "32 characters") {
		t.Errorf("String() = %q", s)
	}
}

// TestRules checks the rule table: unique ids, every id constant has a
// rule with a title, a description and a help text.
func TestRules(t *testing.T) {
	seen := map[string]bool{}
	names := map[string]bool{}
	for _, r := range review.Rules() {
		if seen[r.ID] || names[r.Name] {
			t.Errorf("duplicate rule %s/%s", r.ID, r.Name)
		}
		seen[r.ID], names[r.Name] = true, true
		if r.Title == "" || r.Description == "" || r.Help == "" || len(r.Title) > 40 {
			t.Errorf("rule %s: title %q (at most 40 characters), description and help must be set", r.ID, r.Title)
		}
	}
	for _, id := range []string{review.RuleTrustOpen, review.RuleTrustOIDCNoSubject, review.RuleTrustNoExternalID, review.RuleTrustWeakExtID,
		review.RuleTrustWholeAccount, review.RuleTrustChangeSeen, review.RuleAccountNotTrusted, review.RuleRoleNeverUsed, review.RuleRoleInactive,
		review.RuleSensitiveAll, review.RulePermissionsUnused, review.RuleNoBoundaryWrite, review.RuleDeniedBurst, review.RuleKeyUsedOutside,
		review.RuleKeyOld, review.RuleKeyUnused, review.RuleKeyInactive, review.RuleRootUsed, review.RuleRootAccessKey, review.RuleRootNoMFA} {
		if !seen[id] {
			t.Errorf("no rule %s", id)
		}
	}
}
