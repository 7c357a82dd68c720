#! base: good
locals {
  x = tobool("yes")
}
output "x" {
  value = local.x
}
