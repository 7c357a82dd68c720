#! base: good
#! replace: resource "modelarts_notebook" "a" {
#! expect: replace_triggered_by takes references to managed resources
resource "modelarts_notebook" "a" {
  lifecycle {
    replace_triggered_by = [var.size]
  }
