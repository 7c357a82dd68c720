#! base: good
locals {
  x = nothing.here
}
output "x" {
  value = local.x
}
