#! base: good
locals {
  x = 1 && 2
}
output "x" {
  value = local.x
}
