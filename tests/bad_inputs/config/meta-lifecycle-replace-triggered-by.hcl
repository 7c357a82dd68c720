#! base: good
#! replace: resource "modelarts_notebook" "a" {
resource "modelarts_notebook" "a" {
  lifecycle {
    replace_triggered_by = [modelarts_devserver.d]
  }
