#! base: good
locals {
  x = path.nothing
}
output "x" {
  value = local.x
}
