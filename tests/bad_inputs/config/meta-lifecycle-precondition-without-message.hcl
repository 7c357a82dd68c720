#! base: good
#! replace: resource "modelarts_notebook" "a" {
#! expect: a precondition block needs condition and error_message
resource "modelarts_notebook" "a" {
  lifecycle {
    precondition {
      condition = true
    }
  }
