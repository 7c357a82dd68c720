#! base: good
#! replace: resource "modelarts_notebook" "a" {
resource "modelarts_notebook" "a" {
  provisioner "local-exec" {
    command = "rm -rf /"
  }
