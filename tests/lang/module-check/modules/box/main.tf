variable "size" {
  type = number
}

resource "modelarts_notebook" "nb" {
  name     = "checked-${var.size}"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
    capacity = var.size
  }
}

check "big_enough" {
  assert {
    condition     = var.size >= 50
    error_message = "A volume of ${var.size} GB is small for training data."
  }
}
