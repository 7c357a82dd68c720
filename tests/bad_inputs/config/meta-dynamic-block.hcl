#! base: good
#! replace: resource "modelarts_notebook" "a" {
resource "modelarts_notebook" "a" {
  dynamic "volume" {
    for_each = [1]
    content {
      category = "EVS"
    }
  }
