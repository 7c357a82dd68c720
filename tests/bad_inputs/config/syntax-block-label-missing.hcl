resource "modelarts_notebook" {
}
