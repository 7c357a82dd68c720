#! base: good
locals {
  x = format("%020000000d", 1)
}
output "x" {
  value = local.x
}
