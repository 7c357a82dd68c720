#! base: good
locals {
  x = count.index
}
output "x" {
  value = local.x
}
