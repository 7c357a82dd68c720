#! base: good
locals {
  x = nosuch(1)
}
output "x" {
  value = local.x
}
