variable "n" {
  type    = string
  default = "2"
}
resource "modelarts_notebook" "nb" {
  count    = var.n
  name     = "cs-${count.index}"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
