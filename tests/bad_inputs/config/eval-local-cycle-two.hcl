#! base: good
locals {
  x = local.y
  y = local.x
}
output "x" {
  value = local.x
}
