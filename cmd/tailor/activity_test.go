package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

func TestActivityFlags(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"activity", "--principal", "x"}, exitUsage, "--events"},
		{[]string{"activity", "--events", "e.parquet"}, exitUsage, "--principal, --caller-account or --vendor"},
		{[]string{"activity", "--events", "e.parquet", "--principal", "x", "--format", "xml"}, exitUsage, "--format"},
		{[]string{"activity", "--events", "e.parquet", "--caller-account", "1234"}, exitUsage, "12-digit"},
		{[]string{"activity", "--events", "e.parquet", "--vendor", "Datadog"}, exitUsage, "known-accounts list"},
		{[]string{"activity", "--events", "e.parquet", "--vendor", "Nobody", "--vendors", rvVendors}, exitUsage, "no vendor"},
		{[]string{"activity", "--events", "e.parquet", "--principal", "x", "--since", "2026-10-12", "--until", "2026-10-11"}, exitUsage, "not before"},
		{[]string{"activity", "--events", "missing.parquet", "--principal", "x"}, exitError, "missing.parquet"},
	} {
		code, _, stderr := rvRun(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tc.args, code, stderr, tc.code, tc.msg)
		}
	}
}

func TestActivityDemo(t *testing.T) {
	_, events := rvDemo(t)
	t.Run("vendor json", func(t *testing.T) {
		code, out, stderr := rvRun(t, "activity", "--events", events, "--vendor", "datadog", "--vendors", rvVendors,
			"--since", "2026-10-11", "--until", "2026-10-12", "--format", "json")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var tl struct {
			Schema    string `json:"schema"`
			Selection string `json:"selection"`
			Sessions  []struct {
				Principal     string `json:"principal"`
				CallerAccount string `json:"caller_account"`
				AssumedBy     string `json:"assumed_by"`
				ExternalID    bool   `json:"external_id"`
			} `json:"sessions"`
			Firsts []any `json:"first_appearances"`
		}
		if err := json.Unmarshal([]byte(out), &tl); err != nil {
			t.Fatal(err)
		}
		// Datadog assumes its role every hour: about 24 sessions a day,
		// all from its account, with an ExternalId.
		if tl.Schema != "tailor.activity/v1" || !strings.Contains(tl.Selection, "vendor Datadog (464622532012)") || len(tl.Sessions) < 20 {
			t.Fatalf("timeline %s, %d sessions", tl.Selection, len(tl.Sessions))
		}
		for _, s := range tl.Sessions {
			if s.CallerAccount != "464622532012" || (s.AssumedBy != "" && !s.ExternalID) {
				t.Errorf("session %+v", s)
			}
		}
		if len(tl.Firsts) != 0 {
			t.Errorf("first appearances %v: Datadog did nothing new that day", tl.Firsts)
		}
	})
	t.Run("caller account table", func(t *testing.T) {
		code, out, stderr := rvRun(t, "activity", "--events", events, "--caller-account", "165736516723", "--vendors", rvVendors, "--sweep")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, want := range []string{"Activity of caller account 165736516723", "from account 165736516723 (Cloudability)",
			"sts:AssumeRole", "AccessDenied", "Sweep:"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q", want)
			}
		}
	})
	t.Run("sweep csv of everyone", func(t *testing.T) {
		code, out, stderr := rvRun(t, "activity", "--events", events, "--sweep", "--format", "csv", "--since", "2026-10-04", "--until", "2026-10-05")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if rows[0][0] != "category" {
			t.Fatalf("header %v", rows[0])
		}
		// On 2026-10-04 the administrator detached and deleted
		// CloudabilityRole (README: "when the administrator deletes the
		// role").
		found := map[string]bool{}
		for _, r := range rows[1:] {
			found[r[0]+" "+r[1]] = true
		}
		if !found["destructive iam:DeleteRole"] || !found["destructive iam:DetachRolePolicy"] {
			t.Errorf("sweep of 2026-10-04 lacks the role's deletion: %v", found)
		}
	})
}
