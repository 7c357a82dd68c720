#! base: good
locals {
  x = range(0, 10000000)
}
output "x" {
  value = local.x
}
