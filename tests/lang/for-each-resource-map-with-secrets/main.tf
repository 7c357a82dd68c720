resource "modelarts_notebook" "a" {
  for_each = toset(["x", "y"])
  name     = "m-${each.key}"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
resource "modelarts_notebook" "b" {
  for_each = modelarts_notebook.a
  name     = "${each.value.name}-b"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
