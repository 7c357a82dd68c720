#! base: good
removed {
  from = modelarts_notebook.a
}
