#! base: good
locals {
  x = null ? 1 : 2
}
output "x" {
  value = local.x
}
