#! base: good
locals {
  x = "x${[1, 2]}"
}
output "x" {
  value = local.x
}
