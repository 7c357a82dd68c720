#! base: good
locals {
  x = "x"[*].y
}
output "x" {
  value = local.x
}
