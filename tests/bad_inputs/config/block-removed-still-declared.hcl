#! base: good
#! expect: removed resource still exists: modelarts_notebook.a is still declared
removed {
  from = modelarts_notebook.a
  lifecycle {
    destroy = false
  }
}
