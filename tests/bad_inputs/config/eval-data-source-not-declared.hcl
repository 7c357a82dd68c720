#! base: good
locals {
  x = data.modelarts_notebook_flavors.none
}
output "x" {
  value = local.x
}
