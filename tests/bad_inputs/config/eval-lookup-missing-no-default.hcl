#! base: good
locals {
  x = lookup({a = 1}, "b")
}
output "x" {
  value = local.x
}
