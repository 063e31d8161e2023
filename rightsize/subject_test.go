package rightsize_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/rightsize"
)

func TestSubjectFromSnapshot(t *testing.T) {
	snap, err := account.LoadFile(filepath.Join("testdata", "snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	sc := scenario{arn: role}
	rs, err := rightsize.New(testCatalog(t), sc.index(t), rightsize.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		who      string
		policies []string // Names of the identity policies
		boundary string
		err      error
		errText  string
	}{
		{name: "role with inline, managed and boundary", who: "VendorRole",
			policies: []string{`inline policy "inventory"`, `managed policy "Shared" (v1)`},
			boundary: `permissions boundary, managed policy "Fence" (v1)`},
		{name: "missing managed policy", who: "OtherRole", err: rightsize.ErrIncomplete, errText: "Deleted"},
		{name: "missing group", who: "alice", err: rightsize.ErrIncomplete, errText: "gone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := snap.Principal(tt.who)
			if err != nil {
				t.Fatal(err)
			}
			s, err := rs.Subject(snap, p)
			if tt.err != nil {
				if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("err = %v, want %v naming %q", err, tt.err, tt.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range s.Identity {
				names = append(names, p.Name)
			}
			if strings.Join(names, "|") != strings.Join(tt.policies, "|") {
				t.Errorf("policies %q, want %q", names, tt.policies)
			}
			if s.Boundary == nil || s.Boundary.Name != tt.boundary {
				t.Errorf("boundary %v, want %q", s.Boundary, tt.boundary)
			}
			if s.ARN != p.ARN() || s.Kind != "role" || s.Account != "111122223333" {
				t.Errorf("subject %+v", s)
			}
		})
	}
	// A user's group policies are named.
	snapGroups, err := account.LoadFile(filepath.Join("..", "testdata", "demo", "iam.json"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := snapGroups.Principal("legacy-reporting")
	if err != nil {
		t.Fatal(err)
	}
	su, err := rs.Subject(snapGroups, u)
	if err != nil {
		t.Fatal(err)
	}
	if len(su.Groups) != 1 || su.Groups[0] != "reporting" || su.Kind != "user" || len(su.Identity) != 1 {
		t.Errorf("legacy-reporting: groups %v, kind %s, %d policies", su.Groups, su.Kind, len(su.Identity))
	}
	// Two roles attach Shared: the rightsizer parses it once.
	a, _ := snap.Principal("VendorRole")
	sa, err := rs.Subject(snap, a)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := rs.Subject(snap, a)
	if err != nil {
		t.Fatal(err)
	}
	if sa.Identity[1] != sb.Identity[1] {
		t.Error("the managed policy was parsed twice")
	}
}
