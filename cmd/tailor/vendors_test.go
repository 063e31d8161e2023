package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVendorsUpdateAndLookup(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	list, err := os.ReadFile(rvVendors)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/accounts.yaml":
			w.Write(list)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	// No list yet.
	if code, _, stderr := rvRun(t, "vendors", "lookup", "464622532012"); code != exitError || !strings.Contains(stderr, "vendors update") {
		t.Errorf("lookup without a list: exit %d, %q", code, stderr)
	}
	code, _, stderr := rvRun(t, "vendors", "update", "--url", srv.URL+"/accounts.yaml")
	if code != exitOK || !strings.Contains(stderr, "4 vendors, 4 accounts") {
		t.Fatalf("update: exit %d, %q", code, stderr)
	}
	path := filepath.Join(cache, "tailor", "vendors", "accounts.yaml")
	if got, err := os.ReadFile(path); err != nil || string(got) != string(list) {
		t.Fatalf("cache file: %v", err)
	}
	code, out, _ := rvRun(t, "vendors", "lookup", "464622532012", "999999999999")
	if code != exitOK || !strings.Contains(out, "464622532012  Datadog") || !strings.Contains(out, "999999999999  unknown") {
		t.Errorf("lookup: exit %d\n%s", code, out)
	}
	// A failed download keeps the list.
	if code, _, stderr := rvRun(t, "vendors", "update", "--url", srv.URL+"/gone.yaml"); code != exitError || !strings.Contains(stderr, "404") {
		t.Errorf("failed update: exit %d, %q", code, stderr)
	}
	if got, _ := os.ReadFile(path); string(got) != string(list) {
		t.Error("a failed update changed the cache")
	}
	// review finds the cached list by itself.
	code, out, _ = rvRun(t, "review", "--iam", rvDemoIAM, "--format", "json")
	if code != exitOK || !strings.Contains(out, `"vendor": "Datadog"`) || strings.Contains(out, "No known-accounts list") {
		t.Errorf("review with the cached list: exit %d", code)
	}
}
