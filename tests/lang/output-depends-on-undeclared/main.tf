output "o" {
  value      = 1
  depends_on = [modelarts_notebook.zz]
}
