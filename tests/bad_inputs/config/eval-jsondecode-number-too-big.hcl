#! base: good
locals {
  x = jsondecode("1e999")
}
output "x" {
  value = local.x
}
