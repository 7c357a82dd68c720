moved {
  from = modelarts_notebook.a
  to   = modelarts_devserver.a
}
