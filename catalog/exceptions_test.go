package catalog_test

import (
	"slices"
	"testing"

	"github.com/tailor-sec/tailor/catalog"
)

// TestConditionalParams checks that every request parameter a rule reads
// is one ConditionalParams lists (so ingest records it).
func TestConditionalParams(t *testing.T) {
	params := catalog.ConditionalParams()
	if !slices.IsSorted(params) || len(slices.Compact(slices.Clone(params))) != len(params) {
		t.Errorf("not sorted or has repeats: %v", params)
	}
	for _, want := range []string{"tags", "transitiveTagKeys", "sourceIdentity", "versionId", "x-amz-acl", "tagSpecificationSet", "iamInstanceProfile", "role"} {
		if !slices.Contains(params, want) {
			t.Errorf("%s missing", want)
		}
	}
	c := embedded(t)
	// Every parameter a Need names anywhere in a sample of mappings.
	for _, ev := range [][2]string{{"s3", "PutObject"}, {"s3", "CopyObject"}, {"s3", "CreateBucket"}, {"s3", "DeleteObjects"},
		{"sts", "AssumeRole"}, {"lambda", "CreateFunction"}, {"ec2", "RunInstances"}, {"iam", "CreateRole"},
		{"secretsmanager", "CreateSecret"}, {"secretsmanager", "BatchGetSecretValue"}, {"s3", "GetObject"}} {
		m := c.Map(ev[0]+".amazonaws.com", ev[1], nil)
		for _, n := range m.Possible {
			for _, p := range n.Params {
				if !slices.Contains(params, p) {
					t.Errorf("%s %s: %s decided by %s, which ConditionalParams does not list", ev[0], ev[1], n.Action, p)
				}
			}
		}
	}
	params[0] = "changed"
	if catalog.ConditionalParams()[0] == "changed" {
		t.Error("ConditionalParams returned shared state")
	}
}
