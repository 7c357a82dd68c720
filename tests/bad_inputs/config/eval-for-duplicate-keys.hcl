#! base: good
locals {
  x = {for x in ["a", "a"] : x => 1}
}
output "x" {
  value = local.x
}
