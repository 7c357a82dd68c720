#! base: good
locals {
  x = upper()
}
output "x" {
  value = local.x
}
