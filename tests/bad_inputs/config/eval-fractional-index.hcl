#! base: good
locals {
  x = [1, 2][0.5]
}
output "x" {
  value = local.x
}
