#! base: good
locals {
  x = modelarts_notebook.zz.id
}
output "x" {
  value = local.x
}
