#! base: good
locals {
  x = "a" + 1
}
output "x" {
  value = local.x
}
