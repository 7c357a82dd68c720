resource "modelarts_notebook" "a" {
  name     = "cbd-a"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
  lifecycle {
    create_before_destroy = true
  }
}
resource "modelarts_notebook" "b" {
  name        = "cbd-b"
  description = "after ${modelarts_notebook.a.id}"
  flavor      = "modelarts.vm.cpu.2u"
  image_id    = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
