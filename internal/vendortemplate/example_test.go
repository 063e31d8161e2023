package vendortemplate_test

import (
	"fmt"
	"log"

	"github.com/tailor-sec/tailor/internal/vendortemplate"
)

func ExampleExtract() {
	src := `
resource "aws_iam_role" "vendor" {
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.vendor_account}:root"]
    }
  }
}

resource "aws_iam_role_policy" "vendor" {
  policy = templatefile("policy.json", {})
}
`
	f, err := vendortemplate.Extract("main.tf", []byte(src))
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range f.Documents {
		b, err := d.JSON()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(d.Kind, d.Resource, d.String())
		fmt.Println(string(b))
	}
	for _, n := range f.Notes {
		fmt.Println(n)
	}
	// Output:
	// trust data.aws_iam_policy_document.trust main.tf:data.trust
	// {"Statement":[{"Action":["sts:AssumeRole"],"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::${var.vendor_account}:root"]}}],"Version":"2012-10-17"}
	// /resource.aws_iam_role_policy.vendor.policy: policy from templatefile("policy.json", {}): not in the file
}
