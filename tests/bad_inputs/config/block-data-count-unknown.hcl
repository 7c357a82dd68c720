#! base: good
data "modelarts_notebook_flavors" "f" {
  count = length(modelarts_notebook.a.id)
}
