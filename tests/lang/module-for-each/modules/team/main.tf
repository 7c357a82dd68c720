variable "name" {
  type = string
}
variable "size" {
  type    = number
  default = 10
}

data "modelarts_images" "pytorch" {
  name = "pytorch2.1-cpu-py3.10-ubuntu22.04"
}

resource "modelarts_notebook" "nb" {
  name     = "team-${var.name}"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = data.modelarts_images.pytorch.id
  volume {
    category = "EVS"
    capacity = var.size
  }
}

output "notebook_id" {
  value = modelarts_notebook.nb.id
}

output "name" {
  value = modelarts_notebook.nb.name
}
