#! base: good
locals {
  x = jsondecode("{\"a\": ")
}
output "x" {
  value = local.x
}
