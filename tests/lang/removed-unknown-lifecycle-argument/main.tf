removed {
  from = modelarts_notebook.a
  lifecycle {
    prevent_destroy = true
  }
}
