package review_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/internal/shareddata"
	"github.com/tailor-sec/tailor/review"
)

// TestAuthorizationDetailsSamples reviews every authorization-details
// sample of the shared corpus. The expectations come from reading the
// files; the comments say what in each leads to them.
func TestAuthorizationDetailsSamples(t *testing.T) {
	dir := shareddata.Dir(t, "iam", "authorization-details")
	tests := []struct {
		file, creds string
		now         string
		own         []string
		want        map[string]map[string]string
	}{
		// bad_role: trust {"AWS": "*"} without a condition, and an inline
		// policy "dostuff" of "*" on "*" (every sensitive action, IAM
		// writes). The 2018 export has no RoleLastUsed at all, so nothing
		// is said about use. With the account's credential report
		// (generated 2019-05-07): the root user has an active key (used
		// 2018-11-27) and used its password on 2019-03-03; user "user"
		// has a second key rotated 2018-05-07 and last used that day;
		// its first key and auditor_tmp's are minutes old and unused.
		{"cloudmapper-demo-iam-get-account-authorization-details.json", "cloudmapper-demo-iam-get-credential-report.json", "", nil,
			map[string]map[string]string{
				"bad_role": {"TRUST-OPEN": "critical", "SENSITIVE-ON-ALL-RESOURCES": "critical", "NO-BOUNDARY-WRITE": "medium",
					"ESCALATION-PATH": "critical"},
				"root": {"ROOT-ACCESS-KEY": "critical", "ROOT-USED": "low"},
				"user": {"KEY-OLD": "medium", "KEY-UNUSED": "medium"},
			}},
		// OrganizationAccountAccessRole trusts 072528804237:root and
		// stacksets-exec-… trusts that account's
		// AWSServiceRoleForCloudFormationStackSetsOrgAdmin: the
		// organization's management account, so every finding is capped
		// at low. Both have AdministratorAccess and no boundary;
		// OrganizationAccountAccessRole has an empty RoleLastUsed (created
		// 2022-08-07), stacksets-exec was last used 2022-08-07. The newest
		// RoleLastUsed of the file is 2023-03-28: now is the day after.
		// Every other outside-looking trust names 200611803367 itself, a
		// service, or the account's SAML provider.
		{"cloudsplaining-example.json", "", "2023-03-29T00:00:00Z", nil,
			map[string]map[string]string{
				"OrganizationAccountAccessRole": {"TRUST-NO-EXTERNAL-ID": "low", "TRUST-WHOLE-ACCOUNT": "low", "ROLE-NEVER-USED": "low",
					"SENSITIVE-ON-ALL-RESOURCES": "low", "NO-BOUNDARY-WRITE": "low", "ESCALATION-PATH": "low"},
				"stacksets-exec-b5520cb2730c2f54b523d6375a319abb": {"TRUST-NO-EXTERNAL-ID": "low", "ROLE-INACTIVE": "low",
					"SENSITIVE-ON-ALL-RESOURCES": "low", "NO-BOUNDARY-WRITE": "low", "ESCALATION-PATH": "low"},
			}},
		// The same, telling the review that 072528804237 is the owner's.
		{"cloudsplaining-example.json", "", "2023-03-29T00:00:00Z", []string{"072528804237"}, map[string]map[string]string{}},
		// Roles trusted by ssm.amazonaws.com and ec2.amazonaws.com only.
		{"cloudsplaining-test-authz_details_for_overrides_complete.json", "", "2023-03-29T00:00:00Z", nil, map[string]map[string]string{}},
		{"cloudsplaining-test-example-authz-details.json", "", "2023-03-29T00:00:00Z", nil, map[string]map[string]string{}},
		{"cloudsplaining-test-example_authz_v2.json", "", "2023-03-29T00:00:00Z", nil, map[string]map[string]string{}},
		// Users, groups and policies, no roles.
		{"cloudsplaining-test-managed_policy_mismatch.json", "", "2023-03-29T00:00:00Z", nil, map[string]map[string]string{}},
	}
	for _, tt := range tests {
		name := tt.file
		if tt.own != nil {
			name += "/own-accounts"
		}
		t.Run(name, func(t *testing.T) {
			in := review.Input{Snapshot: loadSnapshot(t, filepath.Join(dir, tt.file))}
			if tt.creds != "" {
				cr, err := account.LoadCredentialReport(filepath.Join(shareddata.Dir(t, "iam", "credential-reports"), tt.creds))
				if err != nil {
					t.Fatal(err)
				}
				in.Credentials = cr
			}
			opts := review.Options{OwnAccounts: tt.own}
			if tt.now != "" {
				opts.Now = mustTime(t, tt.now)
			}
			rep := runReview(t, in, opts)
			sameFindings(t, findings(rep), tt.want)
			if strings.HasPrefix(tt.file, "cloudsplaining-example") && tt.own == nil {
				for _, p := range rep.Principals {
					if len(p.Parties) != 1 || p.Parties[0].Kind != review.PartyOrganization || p.Parties[0].Account != "072528804237" {
						t.Errorf("%s: parties %+v, want the organization account 072528804237", p.Name, p.Parties)
					}
				}
			}
			if strings.HasPrefix(tt.file, "cloudmapper") {
				noted := false
				for _, n := range rep.Notes {
					noted = noted || strings.Contains(n, "RoleLastUsed")
				}
				if !noted {
					t.Errorf("no note that the snapshot lacks last-used records: %v", rep.Notes)
				}
				if rep.Now.Format("2006-01-02") != "2019-05-07" {
					t.Errorf("now = %s, want the credential report's date", rep.Now)
				}
			}
		})
	}
	t.Run("analysis output is not a snapshot", func(t *testing.T) {
		_, err := account.LoadFile(filepath.Join(dir, "cloudsplaining-iam-results-example.json"))
		if !errors.Is(err, account.ErrFormat) {
			t.Errorf("error %v, want account.ErrFormat", err)
		}
	})
}

// TestCredentialReportSamples reviews the credential reports of the
// shared corpus with an empty IAM snapshot.
func TestCredentialReportSamples(t *testing.T) {
	dir := shareddata.Dir(t, "iam", "credential-reports")
	empty, err := account.New(&account.AuthorizationDetails{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file, now    string
		inactiveDays int
		want         map[string]map[string]string
	}{
		// Root without MFA, password used 2022-12-21. cloudgoat's key
		// was rotated 2022-05-27 and jake's 2022-05-18, both used within
		// days; test_key_account's key (2022-12-19) is unused but young.
		{"aws_testbench-credential_report.csv", "2023-01-03T12:00:00Z", 0, map[string]map[string]string{
			"root":      {"ROOT-NO-MFA": "high", "ROOT-USED": "low"},
			"cloudgoat": {"KEY-OLD": "medium"},
			"jake":      {"KEY-OLD": "medium"},
		}},
		// With a 14-day inactivity threshold, test_key_account's key,
		// never used in 15 days, is unused; cloudgoat's (13 days) and the
		// root password (13 days) are not.
		{"aws_testbench-credential_report.csv", "2023-01-03T12:00:00Z", 14, map[string]map[string]string{
			"root":             {"ROOT-NO-MFA": "high", "ROOT-USED": "low"},
			"cloudgoat":        {"KEY-OLD": "medium"},
			"jake":             {"KEY-OLD": "medium"},
			"test_key_account": {"KEY-UNUSED": "medium"},
		}},
		// Root with MFA, password "no_information"; no access keys.
		{"aws-saa-credential-report.csv", "2025-01-30T00:00:00Z", 0, map[string]map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cr, err := account.LoadCredentialReport(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			rep := runReview(t, review.Input{Snapshot: empty, Credentials: cr},
				review.Options{Now: mustTime(t, tt.now), InactiveDays: tt.inactiveDays})
			sameFindings(t, findings(rep), tt.want)
		})
	}
}
