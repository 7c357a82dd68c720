resource "modelarts_notebook" 5 {
}
