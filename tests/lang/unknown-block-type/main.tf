resorce "modelarts_notebook" "n" {
}
