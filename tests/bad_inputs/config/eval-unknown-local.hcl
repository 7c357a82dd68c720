#! base: good
locals {
  x = local.missing
}
output "x" {
  value = local.x
}
