#! base: good
locals {
  x = "%{ if "x" }y%{ endif }"
}
output "x" {
  value = local.x
}
