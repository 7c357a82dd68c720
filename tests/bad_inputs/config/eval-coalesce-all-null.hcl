#! base: good
locals {
  x = coalesce(null, null)
}
output "x" {
  value = local.x
}
