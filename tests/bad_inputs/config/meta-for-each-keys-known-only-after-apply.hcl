#! base: good
#! expect: known only after apply
resource "modelarts_notebook" "fresh" {
  name     = "fresh"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
resource "modelarts_notebook" "dep" {
  for_each = {(modelarts_notebook.fresh.id) = 1}
  name     = "dep"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}

