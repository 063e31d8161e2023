package review_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/internal/shareddata"
	"github.com/tailor-sec/tailor/review"
)

func TestReadVendors(t *testing.T) {
	tests := []struct {
		file    string
		entries int
		err     string // substring of the error, with its position
	}{
		{"known.yaml", 4, ""},
		{"extra-keys.yaml", 1, ""},
		{"bad-account.yaml", 0, "bad-account.yaml:4:14: review: bad known-accounts list: account \"44445555666\" is not 12 digits"},
		{"not-a-list.yaml", 0, "not-a-list.yaml:1:1: review: bad known-accounts list: want a list of entries"},
		{"no-name.yaml", 0, "no-name.yaml:1:3: review: bad known-accounts list: an entry has no name"},
		{"no-accounts.yaml", 0, "entry \"Example Vendor\" has no accounts"},
		{"not-yaml.yaml", 0, "not YAML"},
		{"empty.yaml", 0, "empty file"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			v, err := review.LoadVendors(filepath.Join("testdata", "vendors", tt.file))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, review.ErrVendors) {
					t.Fatalf("error %v, want one containing %q and wrapping ErrVendors", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Len() != tt.entries {
				t.Errorf("%d entries, want %d", v.Len(), tt.entries)
			}
		})
	}
}

func TestVendorsLookup(t *testing.T) {
	v := testVendors(t)
	tests := []struct {
		account, name string
		aws, disabled bool
	}{
		{"444455556666", "Example Vendor", false, false},
		{"777788880000", "Other Vendor", false, false},
		{"555566667777", "Example Logs", true, false},
		{"222233334444", "Retired Vendor", false, true},
		{"999999999999", "", false, false},
	}
	for _, tt := range tests {
		e, ok := v.Lookup(tt.account)
		if tt.name == "" {
			if ok {
				t.Errorf("%s: found %q", tt.account, e.Name)
			}
			continue
		}
		if !ok || e.Name != tt.name || e.AWS != tt.aws || e.Disabled != tt.disabled {
			t.Errorf("%s: %+v, want %s aws=%v disabled=%v", tt.account, e, tt.name, tt.aws, tt.disabled)
		}
	}
	if got := review.Accounts(v.Find("other vendor")); !slices.Equal(got, []string{"777788880000", "777788889999"}) {
		t.Errorf("Find(other vendor) accounts %v", got)
	}
	if got := v.Find("vendor"); len(got) != 3 {
		t.Errorf("Find(vendor) matched %d entries, want the 3 whose name holds it", len(got))
	}
	if got := v.Find("Example Vendor"); len(got) != 1 {
		t.Errorf("an exact name matched %d entries, want 1", len(got))
	}
	var none *review.Vendors
	if _, ok := none.Lookup("444455556666"); ok || none.Len() != 0 {
		t.Error("a nil list knows accounts")
	}
}

// TestKnownAccountsList reads the public list and its predecessor from the
// shared corpus. The expected names were read from the files.
func TestKnownAccountsList(t *testing.T) {
	dir := shareddata.Dir(t, "vendors")
	v, err := review.LoadVendors(filepath.Join(dir, "known_aws_accounts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// SOURCES.md: "238 entries".
	if v.Len() != 238 {
		t.Errorf("%d entries, want 238", v.Len())
	}
	for acct, want := range map[string]string{
		"464622532012": "Datadog", "865078226113": "Datadog", // the two accounts of the Datadog entry
		"165736516723": "Cloudability",
		"454464851268": "Cloudhealth",
		"634729597623": "Checkpoint Cloudguard",
		"081802104111": "Ermetic",
		"269135526815": "Drata",
		"061190967865": "CloudZero",
		"434813966438": "Lacework",
		"754728514883": "New Relic",
	} {
		e, ok := v.Lookup(acct)
		if !ok || !strings.EqualFold(e.Name, want) {
			t.Errorf("%s: %v, want %s", acct, e, want)
		}
	}
	// "ELB logs" is marked type: aws.
	if e, ok := v.Lookup("127311923021"); !ok || !e.AWS {
		t.Errorf("127311923021: %+v, want an AWS service account", e)
	}
	// The predecessor list names Cloudability twice (lines 34 and 271);
	// the first entry wins.
	old, err := review.LoadVendors(filepath.Join(dir, "cloudmapper-vendor_accounts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := old.Lookup("165736516723"); !ok || e.Line > 40 {
		t.Errorf("duplicate account: %+v, want the first entry", e)
	}
}

// TestUpdateVendors serves lists over HTTP: a good one lands in the cache,
// a failed or bad download leaves the cache as it was.
func TestUpdateVendors(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "vendors", "known.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bad, err := os.ReadFile(filepath.Join("testdata", "vendors", "bad-account.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/good.yaml", func(w http.ResponseWriter, _ *http.Request) { w.Write(good) })
	mux.HandleFunc("/bad.yaml", func(w http.ResponseWriter, _ *http.Request) { w.Write(bad) })
	mux.HandleFunc("/empty.yaml", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("[]\n")) })
	mux.HandleFunc("/error.yaml", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", http.StatusBadGateway) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	cache := filepath.Join(t.TempDir(), "tailor", "vendors", "accounts.yaml")
	ctx := context.Background()
	v, err := review.UpdateVendors(ctx, review.VendorsUpdateOptions{URL: srv.URL + "/good.yaml", Path: cache, Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if v.Len() != 4 || v.Source() != cache {
		t.Errorf("list %d entries from %s", v.Len(), v.Source())
	}
	got, err := os.ReadFile(cache)
	if err != nil || string(got) != string(good) {
		t.Fatalf("cache holds %q (%v)", got, err)
	}
	for _, tc := range []struct {
		path, err string
		max       int64
	}{
		{"/error.yaml", "502", 0},
		{"/bad.yaml", "not 12 digits", 0},
		{"/empty.yaml", "no entries", 0},
		{"/good.yaml", "too large", 10},
	} {
		_, err := review.UpdateVendors(ctx, review.VendorsUpdateOptions{URL: srv.URL + tc.path, Path: cache, Client: srv.Client(), MaxSize: tc.max})
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: error %v, want %q", tc.path, err, tc.err)
		}
		if after, _ := os.ReadFile(cache); string(after) != string(good) {
			t.Errorf("%s: the failed update changed the cache", tc.path)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(cache))
	if len(entries) != 1 {
		t.Errorf("the cache directory holds %d files, want only accounts.yaml (no leftovers)", len(entries))
	}
}
