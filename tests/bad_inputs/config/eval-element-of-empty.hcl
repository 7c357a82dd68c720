#! base: good
locals {
  x = element([], 1)
}
output "x" {
  value = local.x
}
