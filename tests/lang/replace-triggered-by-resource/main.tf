resource "modelarts_notebook" "a" {
  name     = "lang-a"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
resource "modelarts_notebook" "b" {
  name     = "trig-b"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
  lifecycle {
    replace_triggered_by = [modelarts_notebook.a]
  }
}
