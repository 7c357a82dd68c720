#! base: good
locals {
  x = var.missing
}
output "x" {
  value = local.x
}
