variable "name" {
  type = string
}
variable "size" {
  type    = number
  default = 10
}

resource "modelarts_notebook" "nb" {
  name     = "team-${var.name}"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
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
