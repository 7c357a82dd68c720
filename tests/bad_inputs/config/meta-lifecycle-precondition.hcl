#! base: good
#! replace: resource "modelarts_notebook" "a" {
resource "modelarts_notebook" "a" {
  lifecycle {
    precondition {
      condition     = true
      error_message = "x"
    }
  }
