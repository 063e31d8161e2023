package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReviewResources(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	const iam = "../../review/testdata/trust/own-account.json"
	resources := "../../review/testdata/resources/s3-public-read.json"

	code, out, stderr := rvRun(t, "review", "--iam", iam, "--resources", resources, "--vendors", rvVendors, "--format", "sarif", "--fail-on", "critical")
	if code != exitFindings {
		t.Fatalf("exit %d, want %d (a critical finding): %s", code, exitFindings, stderr)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range log.Runs[0].Results {
		if r.RuleID != "RESOURCE-PUBLIC" {
			continue
		}
		found = true
		loc := r.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI != resources || loc.Region.StartLine != 2 {
			t.Errorf("RESOURCE-PUBLIC points at %s:%d, want %s:2 (the entry)", loc.ArtifactLocation.URI, loc.Region.StartLine, resources)
		}
	}
	if !found {
		t.Fatalf("no RESOURCE-PUBLIC result in %s", out)
	}

	code, out, _ = rvRun(t, "review", "--iam", iam, "--resources", resources, "--vendors", rvVendors)
	if code != exitOK || !strings.Contains(out, "== bucket amzn-s3-demo-bucket (third party)") || !strings.Contains(out, "Party: anyone") {
		t.Errorf("exit %d; the table output does not show the bucket and its party:\n%s", code, out)
	}

	// A bad file is an error at its place.
	bad := filepath.Join(t.TempDir(), "resources.json")
	os.WriteFile(bad, []byte("[\n {\"arn\": \"arn:aws:s3:::b\", \"type\": \"AWS::S3::Bucket\", \"account\": \"111122223333\",\n  \"policy\": {\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]}}\n]\n"), 0o600)
	code, _, stderr = rvRun(t, "review", "--iam", iam, "--resources", bad)
	if code != exitError || !strings.Contains(stderr, bad+":3:28: [0].policy: policy: statement 0: Principal") {
		t.Errorf("exit %d, stderr %q: want an error at line 3, column 28 (the statement)", code, stderr)
	}
}

func TestResourcesFlags(t *testing.T) {
	rv, err, _ := parseOnly("review", newReviewCmd, []string{"review", "--iam", "a.json", "--resources", "r.json"})
	if err != nil || rv == nil || rv.Resources != "r.json" {
		t.Errorf("review --resources: %+v, %v", rv, err)
	}
	rv, err, _ = parseOnly("review", newReviewCmd, []string{"review", "--iam", "a.json", "--all-principals"})
	if err != nil || rv == nil || !rv.AllPrincipals {
		t.Errorf("review --all-principals: %+v, %v", rv, err)
	}
	an, err, _ := parseOnly("analyze", newAnalyzeCmd, []string{"analyze", "logs", "--iam", "a.json", "-o", "out", "--resources", "r.json"})
	if err != nil || an == nil || an.Resources != "r.json" {
		t.Errorf("analyze --resources: %+v, %v", an, err)
	}
}
