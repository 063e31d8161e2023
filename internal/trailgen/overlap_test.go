package trailgen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/internal/trailgen"
)

// TestOverlap: with Overlap, the organization trail's files are those
// written without it, and every account trail delivers each of its
// records once more, byte for byte, in other files delivered later.
func TestOverlap(t *testing.T) {
	t.Parallel()
	opts := trailgen.Options{Size: 1 << 20, Accounts: 2, Regions: 2, Days: 1, Seed: 5, OrgID: "o-a1b2c3d4e5"}
	plainDir, bothDir := t.TempDir(), t.TempDir()
	if _, err := trailgen.WriteArchive(context.Background(), plainDir, opts); err != nil {
		t.Fatal(err)
	}
	opts.Overlap = true
	sum, err := trailgen.WriteArchive(context.Background(), bothDir, opts)
	if err != nil {
		t.Fatal(err)
	}
	plain, both := treeBytes(t, plainDir), treeBytes(t, bothDir)
	for name, b := range plain {
		if !bytes.Equal(b, both[name]) {
			t.Errorf("%s differs with Overlap", name)
		}
	}
	// Each record of the organization trail once more in the account
	// trail's files, which are others.
	org, acct := map[string]int{}, map[string]int{}
	var orgFiles, acctFiles int
	for _, f := range readLogs(t, bothDir) {
		m, files := acct, &acctFiles
		if strings.HasPrefix(f.rel, "AWSLogs/o-") {
			m, files = org, &orgFiles
		} else if _, ok := plain[f.rel]; ok {
			t.Errorf("%s is in both trails", f.rel)
		}
		*files++
		for _, r := range f.records {
			b, _ := json.Marshal(r)
			m[string(b)]++
		}
	}
	if len(org) == 0 || acctFiles <= orgFiles/2 {
		t.Fatalf("%d organization files, %d account trail files", orgFiles, acctFiles)
	}
	for r, n := range org {
		if acct[r] != n {
			t.Errorf("a record the organization trail delivers %d times, the account trail %d times", n, acct[r])
			break
		}
	}
	if len(acct) != len(org) || sum.Files != orgFiles+acctFiles {
		t.Errorf("%d distinct records in the account trails, %d in the organization's; summary %v", len(acct), len(org), sum)
	}
	opts.OrgID = ""
	if _, err := trailgen.WriteArchive(context.Background(), t.TempDir(), opts); !errors.Is(err, trailgen.ErrOptions) {
		t.Errorf("Overlap without an organization: %v", err)
	}
}
