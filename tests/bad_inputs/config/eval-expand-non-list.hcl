#! base: good
locals {
  x = max(5...)
}
output "x" {
  value = local.x
}
