#! base: good
locals {
  x = "yes" ? 1 : 2
}
output "x" {
  value = local.x
}
