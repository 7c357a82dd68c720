#! base: good
#! replace: resource "modelarts_notebook" "a" {
resource "modelarts_notebook" "a" {
  count    = 1.5
