package usage_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tailor-sec/tailor/usage"
)

// TestActivity spools events from two workers and writes the log: every
// selected event is there once, with role sessions attributed to the
// account that assumed them; ExternalId values are never kept.
func TestActivity(t *testing.T) {
	evs := events(7, 500)
	s := usage.NewSessions()
	var spools []*usage.ActivitySpool
	var builders []*usage.Builder
	spoolDir := t.TempDir()
	for i := 0; i < 2; i++ {
		sp, err := usage.NewActivitySpool(spoolDir)
		if err != nil {
			t.Fatal(err)
		}
		spools = append(spools, sp)
		builders = append(builders, usage.NewBuilder(usage.BuilderOptions{Sessions: s}))
	}
	selected := 0
	for i, ev := range evs {
		sel := i%5 != 0
		if sel {
			selected++
		}
		builders[i%2].Add(ev, sel) // sessions are recorded from every event
		spools[i%2].Add(ev, sel)
	}
	path := filepath.Join(t.TempDir(), "events.parquet")
	if err := usage.FinishActivity(path, false, s, spools...); err != nil {
		t.Fatal(err)
	}
	// The builders' view of who assumed each session is the reference.
	want := map[string]string{}
	for _, ev := range evs {
		if ev.Assumption != nil {
			c := ev.Assumption.CallerAccount
			if c == own {
				c = ""
			}
			want[ev.Assumption.AccessKeyID] = c
		}
	}
	n, attributed := 0, 0
	err := usage.ScanActivity(path, func(a *usage.Activity) error {
		n++
		if a.PrincipalType == "AssumedRole" {
			if c, ok := want[a.AccessKeyID]; ok && a.CallerAccount != c {
				t.Errorf("session %s: caller %q, want %q", a.AccessKeyID, a.CallerAccount, c)
			}
			if a.CallerAccount == vendor {
				attributed++
			}
		}
		if a.EventName == "AssumeRole" && (a.IssuedAccessKeyID == "" || a.AssumedRole == "") {
			t.Errorf("AssumeRole without its session: %+v", a)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != selected || attributed == 0 {
		t.Errorf("log holds %d events (want %d), %d attributed to the vendor", n, selected, attributed)
	}
	if ents, _ := os.ReadDir(spoolDir); len(ents) != 0 {
		t.Errorf("%d spool files left behind", len(ents))
	}
	stop := errors.New("stop")
	if err := usage.ScanActivity(path, func(*usage.Activity) error { return stop }); err != stop {
		t.Errorf("scan error = %v, want the callback's", err)
	}
	if err := usage.ScanActivity(filepath.Join(t.TempDir(), "none"), func(*usage.Activity) error { return nil }); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
