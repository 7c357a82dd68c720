#! base: good
#! replace: resource "modelarts_notebook" "a" {
resource "modelarts_notebook" "a" {
  timeouts {
    create = 300
  }
