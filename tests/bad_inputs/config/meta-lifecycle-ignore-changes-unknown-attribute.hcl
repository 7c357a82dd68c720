#! base: good
#! replace: resource "modelarts_notebook" "a" {
resource "modelarts_notebook" "a" {
  lifecycle {
    ignore_changes = [no_such_attribute]
  }
