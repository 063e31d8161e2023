package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/internal/shareddata"
	"github.com/tailor-sec/tailor/internal/vendortemplate"
)

// TestVendorTemplatePolicies extracts the policy documents embedded in the
// vendor templates of the shared corpus (CloudFormation YAML and JSON,
// Terraform heredocs, jsonencode calls and aws_iam_policy_document data
// blocks) and parses each of them: trust policies must name a trustee,
// identity policies no principal, resource policies a principal in every
// statement.
//
// The expected documents per file were counted by hand from the files (the
// Statement keys of CloudFormation and JSON, the heredocs and jsonencode
// calls holding a Statement, the data blocks), and sorted by what they are
// for: a role's trust policy, an identity policy, a resource policy (an
// SQS, SNS, S3 or KMS policy). Documents that cannot be extracted, and why
// (each is a note the extractor must give):
//   - checkpoint-cloudguard/permissions_*_cft.yml: the managed policies are
//     the placeholders REPLACEMENT_READONLY_POLICY and
//     REPLACEMENT_READWRITE_POLICY, filled at build time from
//     readonly_policy.yml / readwrite_policy.yml (which are parsed; the
//     first holds a placeholder statement, dropped);
//   - cloudability/main.tf: the trust policy is a data block of policy.tf;
//   - spot/main.tf: the role policy is templatefile("spot_policy.json"),
//     parsed as its own file;
//   - vantage/main.tf: four role policies (each with and without a bucket)
//     come from the Vantage provider (data.vantage_aws_provider_info), and
//     two from a variable (each.value["policy"]);
//   - drata/main.tf: the ExternalId condition is a dynamic block, read from
//     its content;
//   - datadog/quickstart-datadog_integration_role.yaml: the permissions are
//     attached by another stack that fetches them from Datadog's API (no
//     note: nothing in the file says so).
//
// Placeholders become "${...}" text: CloudFormation intrinsics (Fn::If
// takes its first branch, Fn::FindInMap reads the Mappings), Terraform
// references and expressions.
func TestVendorTemplatePolicies(t *testing.T) {
	dir := shareddata.Dir(t, "vendors")
	type kinds struct{ trust, identity, resource int }
	want := map[string]kinds{
		"checkpoint-cloudguard/palantir-terraform-aws-dome9.tf":          {trust: 1, identity: 1},
		"checkpoint-cloudguard/permissions_readonly_cft.yml":             {trust: 1},
		"checkpoint-cloudguard/permissions_readwrite_cft.yml":            {trust: 1},
		"checkpoint-cloudguard/readonly_policy.yml":                      {identity: 1},
		"checkpoint-cloudguard/readwrite_policy.yml":                     {identity: 1},
		"cloudability/policy.tf":                                         {trust: 1, identity: 2},
		"cloudhealth/cloudhealth_iam_role.json":                          {trust: 1, identity: 1},
		"cloudzero/audit.yaml":                                           {trust: 1, identity: 1},
		"cloudzero/cloudtrail_owner.yaml":                                {resource: 1},
		"cloudzero/master_payer.json":                                    {identity: 1},
		"cloudzero/resource_owner.json":                                  {identity: 1},
		"cloudzero/resource_owner.yaml":                                  {trust: 1, identity: 1},
		"datadog/datadog_integration_role.yaml":                          {trust: 1, identity: 5},
		"datadog/quickstart-datadog_integration_role.yaml":               {trust: 1},
		"drata/main.tf":                                                  {trust: 1, identity: 1},
		"ermetic/ermetic-controltower-managed-account.yaml":              {trust: 1, identity: 1},
		"internal-examples/mozilla-eis-security-audit-trusting-role.yml": {trust: 1, identity: 3},
		"lacework/lacework-aws-gov-cloud-ct-cfg.json":                    {identity: 1, resource: 3},
		"lacework/terraform-aws-iam-role-main.tf":                        {trust: 1},
		"newrelic/cloud-integrations-aws-main.tf":                        {trust: 4, identity: 3},
		"spot/main.tf":                      {trust: 1},
		"spot/spot_policy.json":             {identity: 1},
		"sysdig/agentless-scanning-main.tf": {trust: 3, identity: 1, resource: 1},
		"sysdig/config-posture-main.tf":     {trust: 1, identity: 1},
		"vantage/main.tf":                   {trust: 1, identity: 1, resource: 1},
	}
	// What each note must mention, in order; files not listed have none.
	wantNotes := map[string][]string{
		"checkpoint-cloudguard/permissions_readonly_cft.yml":  {"REPLACEMENT_READONLY_POLICY"},
		"checkpoint-cloudguard/permissions_readwrite_cft.yml": {"REPLACEMENT_READONLY_POLICY", "REPLACEMENT_READWRITE_POLICY"},
		"checkpoint-cloudguard/readonly_policy.yml":           {"REPLACEMENT_READONLY_POLICY_STATEMENTS"},
		"cloudability/main.tf":                                {"data.aws_iam_policy_document.cloudability_assume_policy"},
		"drata/main.tf":                                       {`dynamic "condition"`},
		"spot/main.tf":                                        {`templatefile("${path.module}/spot_policy.json"`},
		"vantage/main.tf": {
			"data.vantage_aws_provider_info.default.root_policy", "data.vantage_aws_provider_info.default.root_policy",
			"data.vantage_aws_provider_info.default.autopilot_policy", "data.vantage_aws_provider_info.default.autopilot_policy",
			"data.vantage_aws_provider_info.default.cloudwatch_metrics_policy", "data.vantage_aws_provider_info.default.cloudwatch_metrics_policy",
			"data.vantage_aws_provider_info.default.additional_resources_policy", "data.vantage_aws_provider_info.default.additional_resources_policy",
			`each.value["policy"]`, `each.value["policy"]`,
		},
	}
	total, statements := 0, 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		f, err := vendortemplate.ReadFile(path)
		if errors.Is(err, vendortemplate.ErrFormat) {
			return nil
		}
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		checkNotes(t, rel, f.Notes, wantNotes[rel])
		var got kinds
		for i := range f.Documents {
			doc := &f.Documents[i]
			switch doc.Kind {
			case vendortemplate.KindTrust:
				got.trust++
			case vendortemplate.KindIdentity:
				got.identity++
			case vendortemplate.KindResource:
				got.resource++
			}
			b, err := doc.JSON()
			if err != nil {
				t.Error(err)
				continue
			}
			p, err := Parse(b)
			if err != nil {
				t.Errorf("%s: %s: %v\n%s", rel, doc.Path, err, b)
				continue
			}
			checkKind(t, rel+":"+doc.Path, doc.Kind, p)
			total++
			statements += len(p.Statements)
		}
		if got != want[rel] {
			t.Errorf("%s: extracted %+v policy documents, want %+v", rel, got, want[rel])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d vendor policy documents parsed, %d statements", total, statements)
}

// checkNotes checks that the notes on a file mention what want says, in
// order.
func checkNotes(t *testing.T, file string, notes, want []string) {
	t.Helper()
	for _, n := range notes {
		t.Logf("%s: %s", file, n)
	}
	if len(notes) != len(want) {
		t.Errorf("%s: %d notes, want %d: %q", file, len(notes), len(want), notes)
		return
	}
	for i, w := range want {
		if !strings.Contains(notes[i], w) {
			t.Errorf("%s: note %d is %q, want it to mention %q", file, i, notes[i], w)
		}
	}
}

// checkKind checks a parsed document against what it is for.
func checkKind(t *testing.T, where string, kind vendortemplate.Kind, p *Policy) {
	t.Helper()
	switch kind {
	case vendortemplate.KindTrust:
		if len(Trustees(p)) == 0 {
			t.Errorf("%s: trust policy with no trustee", where)
		}
	case vendortemplate.KindIdentity:
		for i, st := range p.Statements {
			if st.Principal != nil || st.NotPrincipal != nil {
				t.Errorf("%s: identity policy statement %d names a principal", where, i)
			}
		}
	case vendortemplate.KindResource:
		for i, st := range p.Statements {
			if st.Principal == nil && st.NotPrincipal == nil {
				t.Errorf("%s: resource policy statement %d names no principal", where, i)
			}
		}
	default:
		t.Errorf("%s: unknown kind %q", where, kind)
	}
}
