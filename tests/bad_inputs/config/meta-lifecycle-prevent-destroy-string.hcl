#! base: good
#! replace: resource "modelarts_notebook" "a" {
resource "modelarts_notebook" "a" {
  lifecycle {
    prevent_destroy = "yes"
  }
