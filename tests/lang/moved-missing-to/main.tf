moved {
  from = modelarts_notebook.a
}
