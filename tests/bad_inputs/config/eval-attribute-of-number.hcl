#! base: good
locals {
  x = (5).x
}
output "x" {
  value = local.x
}
