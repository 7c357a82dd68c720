#! base: good
locals {
  x = [for x in [1] : x if "maybe"]
}
output "x" {
  value = local.x
}
