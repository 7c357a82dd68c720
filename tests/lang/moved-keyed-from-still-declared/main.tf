resource "modelarts_notebook" "a" {
  count    = 1
  name     = "mv-nb"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
resource "modelarts_notebook" "b" {
  count    = 1
  name     = "mv-2"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
moved {
  from = modelarts_notebook.a[0]
  to   = modelarts_notebook.b[0]
}
