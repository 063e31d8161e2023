package policy

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tailor-sec/tailor/internal/shareddata"
)

// fakeCatalog is a Catalog built from a map of prefix → actions.
type fakeCatalog struct {
	services []string
	actions  map[string][]string
}

var _ Catalog = (*fakeCatalog)(nil)

func (c *fakeCatalog) Services() []string             { return c.services }
func (c *fakeCatalog) Actions(prefix string) []string { return c.actions[prefix] }

// newFakeCatalog builds a catalog from canonical action names.
func newFakeCatalog(actions ...string) *fakeCatalog {
	c := &fakeCatalog{actions: map[string][]string{}}
	for _, a := range actions {
		svc, _, _ := strings.Cut(a, ":")
		svc = strings.ToLower(svc)
		c.actions[svc] = append(c.actions[svc], a)
	}
	for s, as := range c.actions {
		slices.Sort(as)
		c.actions[s] = slices.Compact(as)
		c.services = append(c.services, s)
	}
	slices.Sort(c.services)
	return c
}

// smallCatalog is a hand-written catalog for unit tests.
func smallCatalog() *fakeCatalog {
	return newFakeCatalog(
		"s3:GetObject", "s3:GetObjectAcl", "s3:GetBucketPolicy", "s3:PutObject", "s3:DeleteObject",
		"s3:ListBucket", "s3:ListAllMyBuckets",
		"iam:GetUser", "iam:ListUsers", "iam:CreateUser", "iam:PassRole", "iam:PutRolePolicy", "iam:AttachRolePolicy",
		"ec2:DescribeInstances", "ec2:StartInstances", "ec2:StopInstances", "ec2:TerminateInstances",
		"kms:Decrypt", "kms:Encrypt",
		"sts:AssumeRole",
	)
}

var (
	csvOnce sync.Once
	csvCat  *fakeCatalog
	csvErr  error
)

// csvCatalog builds a catalog from the tobilg/aws-iam-data action table in
// the shared corpus, once per test binary.
func csvCatalog(tb testing.TB) *fakeCatalog {
	tb.Helper()
	dir := shareddata.Dir(tb, "iam", "action-catalog", "tobilg-aws-iam-data-csv")
	csvOnce.Do(func() {
		f, err := os.Open(filepath.Join(dir, "aws_actions.csv"))
		if err != nil {
			csvErr = err
			return
		}
		defer f.Close()
		r := csv.NewReader(f)
		head, err := r.Read()
		if err != nil {
			csvErr = err
			return
		}
		col := slices.Index(head, "name")
		if col < 0 {
			csvErr = errors.New("aws_actions.csv: no name column")
			return
		}
		var names []string
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				csvErr = err
				return
			}
			names = append(names, rec[col])
		}
		csvCat = newFakeCatalog(names...)
	})
	if csvErr != nil {
		tb.Fatalf("load action catalog: %v", csvErr)
	}
	return csvCat
}

func TestCSVCatalogLoads(t *testing.T) {
	cat := csvCatalog(t)
	if n := len(cat.Services()); n < 300 {
		t.Errorf("services = %d, want hundreds", n)
	}
	if !slices.Contains(cat.Actions("s3"), "s3:GetObject") {
		t.Errorf("s3 actions lack s3:GetObject")
	}
}
