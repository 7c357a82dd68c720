#! base: good
locals {
  x = each.key
}
output "x" {
  value = local.x
}
