#! base: good
locals {
  x = modelarts_notebook.a.no_such_attribute
}
output "x" {
  value = local.x
}
