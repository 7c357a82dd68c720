#! base: good
#! replace: resource "modelarts_notebook" "a" {
#! env: MAFORM_MAX_INSTANCES=2
#! expect: MAFORM_MAX_INSTANCES
resource "modelarts_notebook" "a" {
  count    = 3
