moved {
  from = "modelarts_notebook.a"
  to   = modelarts_notebook.b
}
