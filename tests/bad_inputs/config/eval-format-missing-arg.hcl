#! base: good
locals {
  x = format("%s %s", "a")
}
output "x" {
  value = local.x
}
