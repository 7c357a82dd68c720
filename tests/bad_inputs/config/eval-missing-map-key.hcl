#! base: good
locals {
  x = {a = 1}["b"]
}
output "x" {
  value = local.x
}
