#! base: good
#! replace: resource "modelarts_notebook" "a" {
#! expect: more than the limit of 100000 instances per plan
resource "modelarts_notebook" "a" {
  count    = 1000000
