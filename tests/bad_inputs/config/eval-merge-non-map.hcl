#! base: good
locals {
  x = merge({a = 1}, [1])
}
output "x" {
  value = local.x
}
