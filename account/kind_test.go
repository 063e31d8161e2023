package account_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tailor-sec/tailor"
	"github.com/tailor-sec/tailor/account"
	"github.com/tailor-sec/tailor/internal/shareddata"
)

func TestRecognize(t *testing.T) {
	tests := []struct {
		file string
		want tailor.Kind
	}{
		// Snapshots: the CLI's output, pages in an array, a snapshot
		// that breaks further on (its reader says where).
		{"principals.json", tailor.KindSnapshot},
		{"pages-array.json", tailor.KindSnapshot},
		{"pages-concatenated.json", tailor.KindSnapshot},
		{"truncated.json", tailor.KindSnapshot},
		{"syntax-error.json", tailor.KindSnapshot},
		{"type-error.json", tailor.KindSnapshot},
		{"credreport-reordered.csv", tailor.KindCredentialReport},
		{"credreport-no-arn.csv", tailor.KindUnknown}, // its reader says the column is missing
		{"kind/credreport-bom.csv", tailor.KindCredentialReport},
		{"credreport-base64.json", tailor.KindCredentialReport},
		{"credreport-wrong-format.json", tailor.KindCredentialReport},
		{"resources/valid.json", tailor.KindResources},
		{"last-accessed/dir/user/alice.json", tailor.KindLastAccessed},
		{"kind/last-accessed.json", tailor.KindLastAccessed},
		{"policy-document.json", tailor.KindPolicy},
		{"kind/template.yaml", tailor.KindCloudFormation},
		{"kind/template-no-version.yaml", tailor.KindCloudFormation},
		{"kind/template.json", tailor.KindCloudFormation},
		{"kind/main.tf", tailor.KindTerraform},
		{"kind/cloudsplaining.json", tailor.KindCloudsplaining},
		{"cloudtrail.json", tailor.KindUnknown}, // ingest's to recognise
		{"empty.json", tailor.KindUnknown},
		{"array-of-strings.json", tailor.KindUnknown},
		{"unknown-object.json", tailor.KindUnknown},
		{"last-accessed", tailor.KindUnknown}, // a directory
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := account.Recognize(filepath.Join("testdata", tt.file))
			if err != nil || got != tt.want {
				t.Errorf("Recognize = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := account.Recognize("testdata/missing.json"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: error %v", err)
	}
}

// TestRecognizeShared recognises the real files of the shared corpus:
// every authorization details file, every credential report, and the
// vendors' CloudFormation templates and Terraform.
func TestRecognizeShared(t *testing.T) {
	dir := shareddata.Dir(t)
	tests := []struct {
		glob string
		want tailor.Kind
	}{
		{"iam/authorization-details/cloudmapper-*.json", tailor.KindSnapshot},
		{"iam/authorization-details/cloudsplaining-test-*.json", tailor.KindSnapshot},
		{"iam/authorization-details/cloudsplaining-example.json", tailor.KindSnapshot},
		{"iam/authorization-details/cloudsplaining-iam-results-example.json", tailor.KindCloudsplaining},
		{"iam/credential-reports/*.csv", tailor.KindCredentialReport},
		{"iam/credential-reports/*.json", tailor.KindCredentialReport},
		{"vendors/datadog/*.yaml", tailor.KindCloudFormation},
		{"vendors/cloudzero/*.yaml", tailor.KindCloudFormation},
		{"vendors/ermetic/*.yaml", tailor.KindCloudFormation},
		{"vendors/cloudhealth/cloudhealth_iam_role.json", tailor.KindCloudFormation},
		{"vendors/lacework/lacework-aws-gov-cloud-ct-cfg.json", tailor.KindCloudFormation},
		{"vendors/*/*.tf", tailor.KindTerraform},
		{"vendors/spot/spot_policy.json", tailor.KindPolicy},
	}
	for _, tt := range tests {
		files, _ := filepath.Glob(filepath.Join(dir, tt.glob))
		if len(files) == 0 {
			t.Errorf("%s: no file", tt.glob)
		}
		for _, f := range files {
			if got, err := account.Recognize(f); err != nil || got != tt.want {
				t.Errorf("Recognize(%s) = %q, %v; want %q", f, got, err, tt.want)
			}
		}
	}
}

// TestLoadWrongContainer: the loaders refuse what no file of theirs can
// be, and name it, where they said "invalid character 'P'" before.
func TestLoadWrongContainer(t *testing.T) {
	dir := t.TempDir()
	parquet := filepath.Join(dir, "usage.parquet")
	os.WriteFile(parquet, []byte("PAR1\x15\x04 and the rest of an index"), 0o644)
	gz := filepath.Join(dir, "logs.json.gz")
	os.WriteFile(gz, []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0}, 0o644)
	loads := []struct {
		name string
		load func(string) error
		want string
	}{
		{"snapshot", func(p string) error { _, err := account.LoadFile(p); return err }, "an IAM snapshot"},
		{"credential report", func(p string) error { _, err := account.LoadCredentialReport(p); return err }, "an IAM credential report"},
		{"resources", func(p string) error { _, err := account.LoadResources(p); return err }, "a list of resource policies"},
	}
	for _, l := range loads {
		for path, what := range map[string]string{parquet: "a Parquet file", gz: "gzip-compressed data", dir: "a directory"} {
			err := l.load(path)
			want := "account: " + path + " is " + what + ", not " + l.want + " (" + tailor.Kind(l.want).Hint() + ")"
			if err == nil || err.Error() != want || !errors.Is(err, account.ErrFormat) || !errors.Is(err, tailor.ErrKind) {
				t.Errorf("%s of %s: error\n%v\nwant\n%s", l.name, what, err, want)
			}
		}
	}
	// A last accessed report may be a directory of them.
	if _, err := account.LoadLastAccessed(parquet); err == nil || !errors.Is(err, tailor.ErrKind) {
		t.Errorf("last accessed of Parquet: %v", err)
	}
	if _, err := account.LoadLastAccessed("testdata/last-accessed/dir"); err != nil {
		t.Errorf("last accessed of a directory: %v", err)
	}
}
