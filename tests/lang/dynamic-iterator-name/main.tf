resource "modelarts_notebook" "n" {
  name     = "dyn"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  dynamic "volume" {
    for_each = [30]
    iterator = size
    content {
      category = "EVS"
      capacity = size.value
    }
  }
}
output "r" {
  value = modelarts_notebook.n.volume.capacity
}
