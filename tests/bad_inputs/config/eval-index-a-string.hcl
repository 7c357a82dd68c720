#! base: good
locals {
  x = "abc"[0]
}
output "x" {
  value = local.x
}
