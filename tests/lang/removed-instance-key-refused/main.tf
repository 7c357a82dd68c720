removed {
  from = modelarts_notebook.a[0]
  lifecycle {
    destroy = false
  }
}
