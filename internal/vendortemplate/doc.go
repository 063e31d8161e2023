// Package vendortemplate extracts the IAM policy documents a vendor's
// integration template holds, for tests that check those documents against
// tailor's policy parser and review rules. It reads three formats, chosen by
// the file's extension:
//
//   - CloudFormation in YAML (.yaml, .yml), short tags included: !Ref, !Sub,
//     !GetAtt, !Join, !If, !FindInMap, ...;
//   - CloudFormation or a bare policy in JSON (.json);
//   - Terraform (.tf): policies written as jsonencode(...) calls, as JSON
//     heredocs or strings, as CloudFormation templates in heredocs (a stack
//     set's template_body), and data "aws_iam_policy_document" blocks, which
//     are rendered as the AWS provider renders them.
//
// A document is any object with a Statement key. Placeholders become
// "${...}" text, which a test substitutes with the values a deployment
// would give: a CloudFormation Ref or GetAtt becomes "${Name}" or
// "${Name.Attr}", Fn::Sub its template, Fn::Join the joined text,
// Fn::FindInMap the value in the template's Mappings, Fn::If its first
// branch (spliced into a list when it yields one), and Ref AWS::NoValue
// drops the element; other functions become "${Fn::Name}". A Terraform
// reference, operation or function call becomes "${...}" around its source
// text ("${var.external_id}", "${local.ids[0]}").
//
// What cannot be extracted is reported as notes beside the documents: a
// policy attribute whose value is not in the file (templatefile, a
// provider's data source), a placeholder where a document or a statement
// should be, an embedded JSON or YAML text that does not parse, a dynamic
// block that would need its for_each expanded.
//
// Terraform is parsed by HashiCorp's own HCL parser
// (github.com/hashicorp/hcl/v2/hclsyntax). This is test support: no
// non-test code may import it.
package vendortemplate
