#! base: good
locals {
  x = tonumber("five")
}
output "x" {
  value = local.x
}
