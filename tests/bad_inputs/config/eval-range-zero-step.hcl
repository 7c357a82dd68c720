#! base: good
locals {
  x = range(0, 5, 0)
}
output "x" {
  value = local.x
}
