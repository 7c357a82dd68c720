resource "modelarts_notebook" "a" "b" {
}
