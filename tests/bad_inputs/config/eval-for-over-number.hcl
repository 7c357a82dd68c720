#! base: good
locals {
  x = [for x in 5 : x]
}
output "x" {
  value = local.x
}
