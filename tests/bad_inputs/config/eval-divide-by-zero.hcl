#! base: good
locals {
  x = 1 / 0
}
output "x" {
  value = local.x
}
