#! base: good
locals {
  x = "x${ {a = 1} }"
}
output "x" {
  value = local.x
}
