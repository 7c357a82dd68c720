variable "image_id" {
  type = string
}

resource "modelarts_notebook" "nb" {
  name     = "from-data"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = var.image_id
  volume {
    category = "EVS"
  }
}
