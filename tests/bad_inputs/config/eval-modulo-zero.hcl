#! base: good
locals {
  x = 5 % 0
}
output "x" {
  value = local.x
}
