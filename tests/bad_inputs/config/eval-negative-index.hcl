#! base: good
locals {
  x = [1, 2][-1]
}
output "x" {
  value = local.x
}
