#! base: good
locals {
  x = {for x in [[1]] : x => 1}
}
output "x" {
  value = local.x
}
