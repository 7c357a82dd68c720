#! base: good
#! expect: moved object still exists: modelarts_notebook.a is still declared
moved {
  from = modelarts_notebook.a
  to   = modelarts_notebook.b
}
