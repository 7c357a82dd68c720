#! base: good
locals {
  x = -"a"
}
output "x" {
  value = local.x
}
