#! base: good
locals {
  x = !1
}
output "x" {
  value = local.x
}
