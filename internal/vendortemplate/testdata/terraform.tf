# Comments: hash,
// slashes,
/* and a
   block */

locals {
  ids     = [for a in var.accounts : "arn:aws:iam::${a}:root"]
  by_name = { for k, v in var.m : k => v if v != "" }
}

data "aws_iam_policy_document" "assume" {
  policy_id = "trust"
  statement {
    sid     = "Vendor"
    actions = concat(["sts:AssumeRole"], var.extra_actions)
    principals {
      type        = "AWS"
      identifiers = [var.vendor_arn]
    }
    principals {
      type        = "AWS"
      identifiers = [123456789012]
    }
    dynamic "condition" {
      for_each = var.external_id != null ? [true] : []
      content {
        test     = "StringEquals"
        variable = "sts:ExternalId"
        values   = [var.external_id]
      }
    }
  }
}

data "aws_iam_policy_document" "bucket" {
  statement {
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["${aws_s3_bucket.logs[0].arn}/*", aws_s3_bucket.logs[count.index].arn]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = [false]
    }
  }
  dynamic "statement" {
    for_each = var.extra
    content {
      actions = statement.value
    }
  }
}

data "aws_iam_policy_document" "legacy" {
  statement {
    actions = ["sts:AssumeRole"]
    principals = {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "vendor" {
  name               = "vendor-${var.suffix}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  count              = var.enable == "true" ? 1 : 0

  inline_policy {
    name = "inline"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect   = "Allow"
        Action   = ["ec2:Describe*", "s3:Get*"]
        Resource = var.enable ? "*" : local.ids[0]
        Condition = {
          "NumericLessThan" = { "aws:MultiFactorAuthAge" = 3600 }
        }
      }]
    })
  }
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = data.aws_iam_policy_document.bucket.json
}

resource "aws_iam_role" "service" {
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": "$${AWS::AccountId}"}}
      }]
    }
  EOT
}

resource "aws_iam_policy" "fallback" {
  policy = coalesce(var.policy_override, jsonencode({ Statement = { Effect = "Allow", Action = "sqs:SendMessage", Resource = "*" } }))
}

resource "aws_iam_policy" "from_file" {
  policy = var.policy == null ? templatefile("${path.module}/policy.json", { bucket = var.bucket }) : var.policy
}

resource "aws_iam_role_policy" "broken" {
  policy = <<EOF
{
  "Statement": [${join(",", var.statements)}]
}
EOF
}

resource "aws_cloudformation_stack_set" "roles" {
  template_body = <<TEMPLATE
Resources:
  StackRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
        - Effect: Allow
          Principal:
            AWS: ${var.vendor_arn}
          Action: sts:AssumeRole
TEMPLATE
}
