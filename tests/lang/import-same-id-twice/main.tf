resource "modelarts_notebook" "b" {
  name     = "x-b"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
resource "modelarts_notebook" "c" {
  name     = "x-c"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
import {
  to = modelarts_notebook.b
  id = "same"
}
import {
  to = modelarts_notebook.c
  id = "same"
}
