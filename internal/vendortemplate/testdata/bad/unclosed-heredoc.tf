locals {
  p = <<EOT
{}
}
