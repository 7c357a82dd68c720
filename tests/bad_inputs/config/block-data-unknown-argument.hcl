#! base: good
data "modelarts_notebook_flavors" "f" {
  colour = "red"
}
