#! base: good
locals {
  x = provider::modelarts::x()
}
output "x" {
  value = local.x
}
