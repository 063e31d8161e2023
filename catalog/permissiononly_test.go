package catalog_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/internal/shareddata"
)

// permissionOnlyFlags reads tobilg/aws-iam-data's aws_actions.csv: full
// action name (lowercase) → permission_only_flag. That export scrapes the
// Service Authorization Reference's "[permission only]" marker.
func permissionOnlyFlags(t *testing.T) map[string]bool {
	dir := shareddata.Dir(t, "iam", "action-catalog", "tobilg-aws-iam-data-csv")
	f, err := os.Open(filepath.Join(dir, "aws_actions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	flags := make(map[string]bool)
	for _, r := range rows[1:] {
		flags[strings.ToLower(r[col["name"]])] = r[col["permission_only_flag"]] == "true"
	}
	return flags
}

type confusion struct{ tp, fp, fn, tn, unknown, absent int }

func (c confusion) recall() float64    { return float64(c.tp) / float64(c.tp+c.fn) }
func (c confusion) precision() float64 { return float64(c.tp) / float64(c.tp+c.fp) }

// comparePermissionOnly counts how c's observability agrees with the
// reference flags: an action the reference calls permission-only must be
// one the logs cannot show (permission-only or never logged). Actions of
// unknown observability are counted apart.
func comparePermissionOnly(c *catalog.Catalog, flags map[string]bool) (confusion, []string) {
	var m confusion
	var missed []string
	for name, ref := range flags {
		a, ok := c.Action(name)
		if !ok {
			m.absent++
			continue
		}
		if a.Observability == catalog.UnknownObservability {
			m.unknown++
			continue
		}
		hidden := !a.Observability.ShownBy(true)
		switch {
		case ref && hidden:
			m.tp++
		case !ref && hidden:
			m.fp++
		case ref:
			m.fn++
			missed = append(missed, a.FullName())
		default:
			m.tn++
		}
	}
	return m, missed
}

// TestPermissionOnly cross-checks the PermissionOnly class against the
// permission_only_flag of a second, independent export of the reference
// (tobilg/aws-iam-data, data of 2026-03-07).
//
// Neither of our sources carries the "[permission only]" marker, so it is
// derived from API operations (see the package documentation). What the
// derivation must get right is recall: an action the reference calls
// permission-only must not be presented as visible in CloudTrail, or a
// rightsizer would drop it as unused. Precision is lower by design, and the
// differences are explained:
//   - embedded snapshot: its operation list comes from the AWS SDK for Go
//     v2 modules and JavaScript v3 clients of 2026; console-only actions
//     with no public API are marked. Its 18 misses are of the same kind as
//     the service reference's below (backup:*BackupAccessPoint,
//     quicksight:*Agent*, bedrock:*ResourcePolicy, redshift:*Qev2*):
//     APIs released after March 2026, which the SDKs now have; and a data
//     event the reference counts as permission-only (bedrock:RenderPrompt).
//     Services neither the proxy nor the registry serves an SDK of, or
//     serves only in versions older than the action data, are unknown;
//   - service reference: actions whose operation AWS does not publish
//     (console-only APIs) or authorizes only conditionally are marked. Its
//     21 misses (backup:*BackupAccessPoint, quicksight:*Agent*,
//     billing:*Credits, ...) are actions that had no API in March 2026
//     and have a published operation of the same name in the August 2026
//     files: APIs released in between.
//
// Actions of services without any operation data are "unknown" (false) and
// counted apart; the reference's misses are listed.
func TestPermissionOnly(t *testing.T) {
	flags := permissionOnlyFlags(t)
	sr := sharedReference(t)
	for _, tc := range []struct {
		name          string
		c             *catalog.Catalog
		minRecall     float64
		minPrecision  float64
		maxUnknownPct float64
	}{
		{"embedded", embedded(t), 0.90, 0.20, 15},
		{"service-reference", sr, 0.95, 0.40, 15},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, missed := comparePermissionOnly(tc.c, flags)
			t.Logf("%d reference actions: %d flagged by both, %d only by us, %d only by the reference, %d by neither; %d in services with no operation data, %d not in this catalog",
				len(flags), m.tp, m.fp, m.fn, m.tn, m.unknown, m.absent)
			t.Logf("recall %.3f, precision %.3f", m.recall(), m.precision())
			if len(missed) <= 40 {
				t.Logf("permission-only in the reference, not here: %v", missed)
			}
			if m.recall() < tc.minRecall || m.precision() < tc.minPrecision {
				t.Errorf("recall %.3f (want ≥ %.2f), precision %.3f (want ≥ %.2f)", m.recall(), tc.minRecall, m.precision(), tc.minPrecision)
			}
			if pct := 100 * float64(m.unknown) / float64(len(flags)); pct > tc.maxUnknownPct {
				t.Errorf("%.1f%% of actions in services without operation data", pct)
			}
			for _, name := range []string{"iam:PassRole", "sts:TagSession", "sts:SetSourceIdentity", "kms:ReEncryptFrom"} {
				a, _ := tc.c.Action(name)
				if name == "kms:ReEncryptFrom" {
					if a.Observability == catalog.PermissionOnly {
						t.Errorf("%s marked permission-only; ReEncrypt needs it", name)
					}
				} else if a.Observability != catalog.PermissionOnly {
					t.Errorf("%s not marked permission-only", name)
				}
			}
		})
	}
}
