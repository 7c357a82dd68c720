#! base: good
#! replace: resource "modelarts_notebook" "a" {
#! expect: a dynamic block needs exactly one content block
resource "modelarts_notebook" "a" {
  dynamic "volume" {
    for_each = [1]
  }
