#! base: good
locals {
  x = tomap([1])
}
output "x" {
  value = local.x
}
