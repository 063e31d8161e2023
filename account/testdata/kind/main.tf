# The same role in Terraform.
variable "external_id" {
  type = string
}

resource "aws_iam_role" "vendor" {
  name               = "VendorRole"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
