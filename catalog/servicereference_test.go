package catalog_test

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/catalog"
	"github.com/tailor-sec/tailor/internal/shareddata"
)

func TestLoadServiceReferenceErrors(t *testing.T) {
	tests := []struct {
		dir        string
		want       error // errors.Is
		line, col  int   // of a *ParseError; 0: not a ParseError
		wantInText string
	}{
		{dir: "malformed", line: 4, col: 26},
		{dir: "typeerror", line: 3, col: 24},
		{dir: "wrongname", want: catalog.ErrInvalid, wantInText: `Name "ec2"`},
		{dir: "missing-indexed", want: catalog.ErrMissingService, wantInText: "ec2"},
		{dir: "empty", want: catalog.ErrNoServices},
		{dir: "duplicate", want: catalog.ErrInvalid, wantInText: "both"},
		{dir: "does-not-exist"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			c, err := catalog.LoadServiceReference(filepath.Join("testdata", "servicereference", tt.dir))
			if err == nil {
				t.Fatalf("loaded %d actions, want an error", c.Len())
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if tt.line != 0 {
				var pe *catalog.ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("error %v is not a *ParseError", err)
				}
				if pe.Line != tt.line || pe.Column != tt.col {
					t.Errorf("position %d:%d, want %d:%d (%v)", pe.Line, pe.Column, tt.line, tt.col, err)
				}
			}
			if tt.wantInText != "" && !strings.Contains(err.Error(), tt.wantInText) {
				t.Errorf("error %q does not mention %q", err, tt.wantInText)
			}
		})
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub))
}

func TestLoadServiceReferenceLayouts(t *testing.T) {
	for _, dir := range []string{"nested", "flat"} {
		t.Run(dir, func(t *testing.T) {
			c, err := catalog.LoadServiceReference(filepath.Join("testdata", "servicereference", dir))
			if err != nil {
				t.Fatal(err)
			}
			a, ok := c.Action("S3:getobject")
			if !ok {
				t.Fatal("s3:GetObject missing")
			}
			if a.FullName() != "s3:GetObject" || a.Level != catalog.Read {
				t.Errorf("got %s level %v, want s3:GetObject level Read", a, a.Level)
			}
			if l, _ := c.Action("s3:ListBucket"); l.Level != catalog.List {
				t.Errorf("s3:ListBucket level %v, want List", l.Level)
			}
			if c.Source() != filepath.Join("testdata", "servicereference", dir) {
				t.Errorf("source %q", c.Source())
			}
			if c.Date().IsZero() {
				t.Error("zero date: want the newest file time")
			}
		})
	}
}

func TestLoadServiceReferenceFields(t *testing.T) {
	c, err := catalog.LoadServiceReference(filepath.Join("testdata", "servicereference", "nested"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Services(), []string{"demo", "iam", "s3", "s3-object-lambda", "sts"}; !slices.Equal(got, want) {
		t.Errorf("services %v, want %v", got, want)
	}
	if !c.HasOperations() {
		t.Error("HasOperations false")
	}
	levels := map[string]catalog.AccessLevel{
		"s3:PutObjectAcl":     catalog.PermissionsManagement | catalog.Write,
		"s3:PutObjectTagging": catalog.Tagging | catalog.Write,
		"s3:PutObject":        catalog.Write,
		"s3:ListBucket":       catalog.List,
		"s3:GetObject":        catalog.Read,
	}
	for name, want := range levels {
		a, ok := c.Action(name)
		if !ok || a.Level != want {
			t.Errorf("%s: level %v (found %v), want %v", name, a.Level, ok, want)
		}
	}
	a, _ := c.Action("s3:GetObject")
	if len(a.Resources) != 1 || a.Resources[0].Name != "object" ||
		!slices.Equal(a.Resources[0].ARNFormats, []string{"arn:${Partition}:s3:::${BucketName}/${ObjectName}"}) ||
		!slices.Equal(a.Resources[0].ConditionKeys, []string{"s3:ExistingObjectTag/<key>"}) {
		t.Errorf("s3:GetObject resources %+v", a.Resources)
	}
	if !slices.Equal(a.ConditionKeys, []string{"s3:ExistingObjectTag/<key>"}) {
		t.Errorf("s3:GetObject condition keys %v", a.ConditionKeys)
	}
	op, ok := c.Operation("S3", "listobjects")
	if !ok || !slices.Equal(op.AuthorizedActions, []string{"s3:GetObjectAcl", "s3:ListBucket", "s3-object-lambda:ListBucket"}) {
		t.Errorf("ListObjects operation %+v", op)
	}
	s, _ := c.Service("s3")
	if !s.OperationsKnown || len(s.Resources) != 2 || len(s.ConditionKeys) != 2 {
		t.Errorf("s3 service: operations known %v, %d resources, %d condition keys", s.OperationsKnown, len(s.Resources), len(s.ConditionKeys))
	}
	// Permission-only: no operation always needs these.
	for name, want := range map[string]bool{
		"iam:PassRole":               true,  // only conditional (demo Cross)
		"sts:TagSession":             true,  // only conditional
		"s3:GetObjectRetention":      true,  // only conditional
		"demo:Extra":                 true,  // only conditional
		"demo:Gamma":                 false, // the one action of Renamed
		"s3:ListBucket":              false, // ListObjects and HeadBucket need it
		"s3:ListAllMyBuckets":        false, // ListBuckets needs it
		"s3:GetObject":               false,
		"demo:Lonely":                true,  // no operation at all
		"s3-object-lambda:GetObject": false, // the service has no operations: unknown
	} {
		if a, _ := c.Action(name); (a.Observability == catalog.PermissionOnly) != want {
			t.Errorf("%s: PermissionOnly %v, want %v", name, a.Observability == catalog.PermissionOnly, want)
		}
	}
}

// TestLoadServiceReferenceShared reads the real copy of AWS's files.
func TestLoadServiceReferenceShared(t *testing.T) {
	dir := shareddata.Dir(t, "iam", "service-reference")
	c, err := catalog.LoadServiceReference(dir)
	if err != nil {
		t.Fatal(err)
	}
	// SOURCES.md: 466 service files, 354 with operations; s3 180 actions.
	if n := len(c.Services()); n != 466 {
		t.Errorf("%d services, want 466", n)
	}
	if n := len(c.Actions("s3")); n != 180 {
		t.Errorf("%d s3 actions, want 180", n)
	}
	known := 0
	for _, p := range c.Services() {
		if s, _ := c.Service(p); s.OperationsKnown {
			known++
		}
	}
	if known != 354 {
		t.Errorf("%d services with operations, want 354", known)
	}
	op, ok := c.Operation("sts", "AssumeRole")
	if !ok || !slices.Contains(op.AuthorizedActions, "sts:TagSession") {
		t.Errorf("sts AssumeRole operation %+v", op)
	}
	t.Logf("%d services, %d actions", len(c.Services()), c.Len())
}
