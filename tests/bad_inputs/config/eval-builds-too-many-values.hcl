#! base: good
locals {
  x = [for i in range(1000000): range(1000000)]
}
output "x" {
  value = local.x
}
