#! base: good
locals {
  x = flatten(5)
}
output "x" {
  value = local.x
}
