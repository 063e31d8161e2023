package account_test

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/internal/shareddata"
)

// rawReport reads a credential report file with encoding/csv, unwrapping
// the JSON of get-credential-report when needed.
func rawReport(t *testing.T, path string) []map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".json") {
		var w struct{ Content string }
		if err := json.Unmarshal(b, &w); err != nil {
			t.Fatal(err)
		}
		b = []byte(w.Content)
	}
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// checkStamp compares a parsed timestamp with the raw field.
func checkStamp(t *testing.T, what string, got account.Timestamp, raw string) {
	t.Helper()
	switch raw {
	case "N/A", "no_information", "not_supported":
		if got.Status != account.Status(raw) || got.Valid() || !got.Time.IsZero() {
			t.Errorf("%s = %+v, want status %s", what, got, raw)
		}
		return
	}
	want, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		t.Fatalf("%s: raw %q: %v", what, raw, err)
	}
	if !got.Valid() || !got.Time.Equal(want) {
		t.Errorf("%s = %+v, want %v", what, got, want)
	}
}

func checkFlag(t *testing.T, what string, got account.Flag, raw string) {
	t.Helper()
	switch raw {
	case "true", "false":
		if got.Status != account.StatusPresent || got.Value != (raw == "true") {
			t.Errorf("%s = %+v, want %s", what, got, raw)
		}
	default:
		if got.Status != account.Status(raw) || got.True() {
			t.Errorf("%s = %+v, want status %s", what, got, raw)
		}
	}
}

func TestSharedCredentialReports(t *testing.T) {
	dir := shareddata.Dir(t, "iam", "credential-reports")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	n := 0
	for _, path := range files {
		if filepath.Ext(path) != ".csv" && filepath.Ext(path) != ".json" {
			continue
		}
		n++
		t.Run(filepath.Base(path), func(t *testing.T) {
			rep, err := account.LoadCredentialReport(path)
			if err != nil {
				t.Fatal(err)
			}
			raw := rawReport(t, path)
			if len(rep.Credentials) != len(raw) {
				t.Fatalf("%d rows, want %d", len(rep.Credentials), len(raw))
			}
			for i, r := range raw {
				c := rep.Credentials[i]
				if c.User != r["user"] || c.ARN != r["arn"] || c.Root() != (r["user"] == "<root_account>") {
					t.Errorf("row %d: user %q arn %q root %v, want %q %q", i, c.User, c.ARN, c.Root(), r["user"], r["arn"])
				}
				checkStamp(t, c.User+" user_creation_time", c.UserCreationTime, r["user_creation_time"])
				checkFlag(t, c.User+" password_enabled", c.PasswordEnabled, r["password_enabled"])
				checkStamp(t, c.User+" password_last_used", c.PasswordLastUsed, r["password_last_used"])
				checkStamp(t, c.User+" password_last_changed", c.PasswordLastChanged, r["password_last_changed"])
				checkStamp(t, c.User+" password_next_rotation", c.PasswordNextRotation, r["password_next_rotation"])
				checkFlag(t, c.User+" mfa_active", c.MFAActive, r["mfa_active"])
				for k := range 2 {
					p := "access_key_" + string(rune('1'+k)) + "_"
					key := c.AccessKeys[k]
					checkFlag(t, c.User+" "+p+"active", key.Active, r[p+"active"])
					checkStamp(t, c.User+" "+p+"last_rotated", key.LastRotated, r[p+"last_rotated"])
					checkStamp(t, c.User+" "+p+"last_used_date", key.LastUsedDate, r[p+"last_used_date"])
					for _, f := range []struct{ got, raw string }{{key.LastUsedRegion, r[p+"last_used_region"]}, {key.LastUsedService, r[p+"last_used_service"]}} {
						if f.got != strings.TrimPrefix(f.raw, "N/A") {
							t.Errorf("%s %s: %q, raw %q", c.User, p, f.got, f.raw)
						}
					}
					cp := "cert_" + string(rune('1'+k)) + "_"
					checkFlag(t, c.User+" "+cp+"active", c.Certs[k].Active, r[cp+"active"])
					checkStamp(t, c.User+" "+cp+"last_rotated", c.Certs[k].LastRotated, r[cp+"last_rotated"])
				}
			}
		})
	}
	if n != 3 {
		t.Errorf("%d credential report samples, want 3", n)
	}
}

// TestSharedCredentialReportFacts checks facts read from the samples by hand.
func TestSharedCredentialReportFacts(t *testing.T) {
	dir := shareddata.Dir(t, "iam", "credential-reports")
	load := func(name string) *account.CredentialReport {
		t.Helper()
		rep, err := account.LoadCredentialReport(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	tb := load("aws_testbench-credential_report.csv")
	if c := tb.Lookup("cloudgoat"); c == nil || c.AccessKeys[0].LastUsedService != "rds" || c.AccessKeys[0].LastUsedRegion != "us-east-1" || !c.AccessKeys[0].Active.True() {
		t.Errorf("cloudgoat = %+v", c)
	}
	if c := tb.Lookup("arn:aws:iam::278368863034:user/test_key_account"); c == nil || c.AccessKeys[0].LastUsedDate.Status != account.StatusNA || !c.AccessKeys[0].Active.True() {
		t.Errorf("test_key_account (key never used) = %+v", c)
	}
	if c := tb.Lookup("test_account"); c == nil || c.PasswordLastUsed.Status != account.StatusNoInformation {
		t.Errorf("test_account password_last_used = %+v", c)
	}
	if !tb.GeneratedTime.IsZero() {
		t.Errorf("bare CSV has GeneratedTime %v", tb.GeneratedTime)
	}

	saa := load("aws-saa-credential-report.csv")
	if c := saa.Lookup("Ad"); c == nil || c.PasswordLastUsed.Time != time.Date(2025, 1, 29, 16, 46, 14, 0, time.UTC) {
		t.Errorf("Ad password_last_used = %+v", c)
	}
	if c := saa.Lookup("<root_account>"); c == nil || !c.Root() || c.PasswordNextRotation.Status != account.StatusNotSupported || !c.PasswordEnabled.True() || !c.MFAActive.True() {
		t.Errorf("root = %+v", c)
	}

	cm := load("cloudmapper-demo-iam-get-credential-report.json")
	if want := time.Date(2019, 5, 7, 15, 40, 22, 0, time.UTC); !cm.GeneratedTime.Equal(want) {
		t.Errorf("GeneratedTime = %v, want %v", cm.GeneratedTime, want)
	}
	if c := cm.Lookup("<root_account>"); c == nil || c.AccessKeys[0].LastUsedService != "ecr" || c.PasswordEnabled.Status != account.StatusNotSupported {
		t.Errorf("cloudmapper root = %+v", c)
	}
}

func TestReadCredentialReportFixtures(t *testing.T) {
	t.Run("reordered columns", func(t *testing.T) {
		rep, err := account.LoadCredentialReport("testdata/credreport-reordered.csv")
		if err != nil {
			t.Fatal(err)
		}
		checkReordered(t, rep)
	})
	t.Run("base64 JSON", func(t *testing.T) {
		rep, err := account.LoadCredentialReport("testdata/credreport-base64.json")
		if err != nil {
			t.Fatal(err)
		}
		checkReordered(t, rep)
		if want := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC); !rep.GeneratedTime.Equal(want) {
			t.Errorf("GeneratedTime = %v", rep.GeneratedTime)
		}
	})
}

func checkReordered(t *testing.T, rep *account.CredentialReport) {
	t.Helper()
	if len(rep.Credentials) != 2 {
		t.Fatalf("%d rows", len(rep.Credentials))
	}
	e, f := rep.Credentials[0], rep.Credentials[1]
	if e.User != "erin" || e.ARN != "arn:aws:iam::123456789012:user/erin" || !e.MFAActive.True() ||
		e.AccessKeys[1].LastUsedService != "sts" || !e.AccessKeys[1].LastUsedDate.Time.Equal(time.Date(2024, 5, 5, 5, 5, 5, 0, time.UTC)) ||
		!e.Certs[1].Active.True() || !e.Certs[1].LastRotated.Valid() {
		t.Errorf("erin = %+v", e)
	}
	if f.User != "frank" || f.MFAActive.True() || f.AccessKeys[1].LastUsedService != "" || f.AccessKeys[1].LastUsedDate.Status != account.StatusNoInformation {
		t.Errorf("frank = %+v", f)
	}
	// Columns absent from the file stay zero: no status, no value.
	if e.PasswordEnabled != (account.Flag{}) || e.UserCreationTime != (account.Timestamp{}) {
		t.Errorf("absent columns set: %+v %+v", e.PasswordEnabled, e.UserCreationTime)
	}
}

func TestReadCredentialReportErrors(t *testing.T) {
	tests := []struct {
		file      string
		sentinel  error
		line, col int
		field     string
		text      string
	}{
		{file: "credreport-bad-flag.csv", sentinel: account.ErrSyntax, line: 3, col: 68, field: "password_enabled", text: `"yes"`},
		{file: "credreport-bad-quote.csv", sentinel: account.ErrSyntax, line: 2},
		{file: "credreport-no-arn.csv", sentinel: account.ErrFormat, line: 1, col: 1, text: "lacks the user and arn columns"},
		{file: "credreport-wrong-format.json", sentinel: account.ErrFormat, field: "ReportFormat", text: "text/html"},
		{file: "credreport-not-csv.json", sentinel: account.ErrFormat, text: "lacks the user and arn columns"},
		{file: "empty.json", sentinel: account.ErrFormat, text: "empty"},
		{file: "cloudtrail.json", sentinel: account.ErrFormat, text: "without a Content field"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := account.LoadCredentialReport(filepath.Join("testdata", tt.file))
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("error %v, want %v", err, tt.sentinel)
			}
			var pe *account.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("%T is not a *ParseError", err)
			}
			if !strings.Contains(pe.Path, tt.file) {
				t.Errorf("Path %q does not name the file", pe.Path)
			}
			if tt.line != 0 && pe.Line != tt.line {
				t.Errorf("line %d, want %d (%v)", pe.Line, tt.line, err)
			}
			if tt.col != 0 && pe.Column != tt.col {
				t.Errorf("column %d, want %d (%v)", pe.Column, tt.col, err)
			}
			if pe.Field != tt.field {
				t.Errorf("Field %q, want %q", pe.Field, tt.field)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q lacks %q", err, tt.text)
			}
		})
	}
}
