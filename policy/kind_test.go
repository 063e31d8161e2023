package policy

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tailor-sec/tailor/internal/shareddata"
	"github.com/tailor-sec/tailor/internal/vendortemplate"
)

// TestParseAsRejects checks the elements IAM refuses in a policy of each
// kind (issue 12, repro 8): the error names the element, its line and its
// column, and wraps the sentinel. Parse, for a policy of any kind, accepts
// each of them.
func TestParseAsRejects(t *testing.T) {
	tests := []struct {
		name      string
		kind      Kind
		doc       string
		err       error
		line, col int
		element   string
	}{
		// IAM User Guide, "IAM JSON policy elements: Resource": "Statements
		// must include either a Resource or a NotResource element."
		{"identity without Resource", KindIdentity,
			`{"Version":"2012-10-17","Statement":[
  {"Effect":"Deny","Action":"s3:*"}]}`, ErrMissing, 2, 3, "Resource"},
		// "IAM JSON policy elements: Principal": "You cannot use the
		// Principal element in an identity-based policy."
		{"identity with Principal", KindIdentity,
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*",
 "Principal":{"AWS":"111122223333"}}}`, ErrElement, 2, 2, "Principal"},
		{"identity with NotPrincipal", KindIdentity,
			`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*","NotPrincipal":"*"}}`,
			ErrElement, 1, 85, "NotPrincipal"},
		// "IAM JSON policy elements: Resource": you specify a resource
		// using an ARN, or "*".
		{"identity with a Resource that is no ARN", KindIdentity,
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*",
 "Resource":["arn:aws:s3:::b","my-bucket"]}}`, ErrValue, 2, 31, "Resource"},
		{"identity with an ARN of too few parts", KindIdentity,
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3"}}`,
			ErrValue, 1, 85, "NotResource"},
		// "IAM JSON policy elements: Sid": "In IAM, the Sid value must be
		// unique within a JSON policy."
		{"identity with a Sid twice", KindIdentity,
			`{"Version":"2012-10-17","Statement":[
  {"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},
  {"Sid":"A","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}]}`, ErrDuplicate, 3, 10, "Sid"},
		// Resource-based and trust policies name who they let in.
		{"resource without Principal", KindResource,
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`,
			ErrMissing, 1, 37, "Principal"},
		{"trust with Resource", KindTrust,
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},
 "Action":"sts:AssumeRole","Resource":"*"}}`, ErrElement, 2, 28, "Resource"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse([]byte(tt.doc)); err != nil {
				t.Fatalf("Parse (any kind): %v", err)
			}
			_, err := ParseAs([]byte(tt.doc), tt.kind)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseAs(%v) = %v, want a *ParseError", tt.kind, err)
			}
			if !errors.Is(err, tt.err) || pe.Line != tt.line || pe.Column != tt.col || pe.Element != tt.element {
				t.Errorf("error %q (line %d, column %d, element %q), want %v at line %d, column %d, element %q",
					err, pe.Line, pe.Column, pe.Element, tt.err, tt.line, tt.col, tt.element)
			}
		})
	}
}

// TestParseAsAccepts checks what each kind does accept.
func TestParseAsAccepts(t *testing.T) {
	tests := []struct {
		kind Kind
		doc  string
	}{
		{KindIdentity, `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":["*","arn:aws:s3:::b/${aws:username}/*","arn:*:s3:::*"]},
			{"Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:iam::*:role/x"},{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}`},
		{KindResource, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`},
		{KindTrust, `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"},
			{"Sid":"A","Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`},
	}
	for _, tt := range tests {
		if _, err := ParseAs([]byte(tt.doc), tt.kind); err != nil {
			t.Errorf("%v: %v", tt.kind, err)
		}
	}
}

// TestParseAsRealDocuments parses every real document of the shared corpus
// as what it is: AWS managed policies and the identity policies of the
// authorization-details files as identity policies, their roles' trust
// policies as trust policies, and the vendor templates' documents by the
// kind the template gives them. No document IAM accepted may be rejected.
// The only rejections are vendor template documents whose Resource is a
// template reference ("${aws_s3_bucket.x.arn}/*"): text that is no ARN,
// which the template fills with one before IAM sees it.
func TestParseAsRealDocuments(t *testing.T) {
	counts := map[Kind]int{}
	check := func(where string, doc []byte, kind Kind) {
		t.Helper()
		counts[kind]++
		if _, err := ParseEncodedAs(doc, kind); err != nil {
			t.Errorf("%s: %v", where, err)
		}
	}
	for _, mp := range managedPolicies(t) {
		check(mp.source+" "+mp.name, mp.doc, KindIdentity)
	}
	managed := counts[KindIdentity]

	dir := shareddata.Dir(t, "iam", "authorization-details")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no authorization-details files in %s: %v", dir, err)
	}
	type inline struct {
		PolicyName     string
		PolicyDocument json.RawMessage
	}
	var details int
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			UserDetailList []struct {
				UserName       string
				UserPolicyList []inline
			}
			GroupDetailList []struct {
				GroupName       string
				GroupPolicyList []inline
			}
			RoleDetailList []struct {
				RoleName                 string
				AssumeRolePolicyDocument json.RawMessage
				RolePolicyList           []inline
			}
			Policies []struct {
				PolicyName        string
				PolicyVersionList []struct {
					VersionId string
					Document  json.RawMessage
				}
			}
		}
		if err := json.Unmarshal(data, &d); err != nil {
			continue // not an authorization-details document (a results file)
		}
		name := filepath.Base(file)
		before := counts[KindIdentity] + counts[KindTrust]
		for _, u := range d.UserDetailList {
			for _, p := range u.UserPolicyList {
				check(name+": user "+u.UserName+" "+p.PolicyName, p.PolicyDocument, KindIdentity)
			}
		}
		for _, g := range d.GroupDetailList {
			for _, p := range g.GroupPolicyList {
				check(name+": group "+g.GroupName+" "+p.PolicyName, p.PolicyDocument, KindIdentity)
			}
		}
		for _, r := range d.RoleDetailList {
			if len(r.AssumeRolePolicyDocument) > 0 && string(r.AssumeRolePolicyDocument) != "null" {
				check(name+": role "+r.RoleName+" trust policy", r.AssumeRolePolicyDocument, KindTrust)
			}
			for _, p := range r.RolePolicyList {
				check(name+": role "+r.RoleName+" "+p.PolicyName, p.PolicyDocument, KindIdentity)
			}
		}
		for _, p := range d.Policies {
			for _, v := range p.PolicyVersionList {
				if len(v.Document) > 0 && string(v.Document) != "null" {
					check(name+": policy "+p.PolicyName+" "+v.VersionId, v.Document, KindIdentity)
				}
			}
		}
		details += counts[KindIdentity] + counts[KindTrust] - before
	}
	vendors := vendorDocuments(t)
	placeholders := 0
	for _, v := range vendors {
		counts[v.kind]++
		_, err := ParseEncodedAs(v.doc, v.kind)
		var pe *ParseError
		switch {
		case err == nil:
		case errors.As(err, &pe) && errors.Is(err, ErrValue) && pe.Element == "Resource" && strings.Contains(err.Error(), `"${`):
			placeholders++
			t.Logf("%s: a template reference, not an ARN: %v", v.where, err)
		default:
			t.Errorf("%s: %v", v.where, err)
		}
	}
	// Counted by hand in the templates: lacework's CWS queue, newrelic's
	// firehose stream and recorder bucket, sysdig's arn_prefix, vantage's
	// report bucket.
	if placeholders != 5 {
		t.Errorf("%d vendor documents rejected for a template reference in Resource, want 5", placeholders)
	}
	if managed < 3000 || details < 250 || len(vendors) < 50 {
		t.Errorf("only %d managed, %d authorization-details and %d vendor documents: the corpus is not all read", managed, details, len(vendors))
	}
	t.Logf("%d managed policies, %d authorization-details documents, %d vendor documents; by kind: %d identity, %d resource, %d trust",
		managed, details, len(vendors), counts[KindIdentity], counts[KindResource], counts[KindTrust])
}

// TestValidateWarnsEarlyVariable: a variable before the fifth colon of a
// Resource is text, which the author rarely meant; Validate says so.
func TestValidateWarnsEarlyVariable(t *testing.T) {
	p := mustParse(t, []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt",
		"Resource":["arn:*:kms:*:${aws:PrincipalAccount}:key/*","arn:aws:s3:::b/${aws:username}"]}}`))
	var got []string
	for _, w := range p.Validate(smallCatalog()) {
		if w.Element == "Resource" {
			got = append(got, w.Message)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "${aws:PrincipalAccount}") || !strings.Contains(got[0], "fifth colon") {
		t.Errorf("warnings %q, want one about ${aws:PrincipalAccount} before the fifth colon", got)
	}
}

// vendorDocument is one policy document of a vendor template.
type vendorDocument struct {
	where string
	kind  Kind
	doc   []byte
}

// vendorDocuments extracts the policy documents of the shared corpus'
// vendor templates (see TestVendorTemplatePolicies) with their kind.
func vendorDocuments(t *testing.T) []vendorDocument {
	dir := shareddata.Dir(t, "vendors")
	kinds := map[vendortemplate.Kind]Kind{
		vendortemplate.KindIdentity: KindIdentity,
		vendortemplate.KindResource: KindResource,
		vendortemplate.KindTrust:    KindTrust,
	}
	var out []vendorDocument
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := vendortemplate.ReadFile(path)
		if err != nil {
			return nil // not a template; TestVendorTemplatePolicies reports errors
		}
		rel, _ := filepath.Rel(dir, path)
		for i := range f.Documents {
			doc := &f.Documents[i]
			b, err := doc.JSON()
			if err != nil {
				continue
			}
			out = append(out, vendorDocument{where: rel + ": " + doc.Path, kind: kinds[doc.Kind], doc: b})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
