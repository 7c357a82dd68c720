#! base: good
locals {
  x = can(1, 2)
}
output "x" {
  value = local.x
}
