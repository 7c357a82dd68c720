#! base: good
locals {
  x = try(nosuch(), 1 / 0)
}
output "x" {
  value = local.x
}
