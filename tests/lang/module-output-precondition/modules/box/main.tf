variable "size" {
  type = number
}

resource "modelarts_notebook" "nb" {
  name     = "pre-${var.size}"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
    capacity = var.size
  }
}

output "capacity" {
  value = var.size
  precondition {
    condition     = var.size <= 100
    error_message = "More than 100 GB needs a quota request."
  }
}
