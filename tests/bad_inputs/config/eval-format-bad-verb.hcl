#! base: good
locals {
  x = format("%y", "a")
}
output "x" {
  value = local.x
}
