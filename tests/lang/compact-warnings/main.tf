variable "size" {
  default = 5
}
resource "modelarts_notebook" "nb" {
  name     = "nb-compact"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
check "size" {
  assert {
    condition     = var.size > 10
    error_message = "The size is only ${var.size}."
  }
}
