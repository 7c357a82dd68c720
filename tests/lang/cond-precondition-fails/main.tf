variable "size" {
  default = 10
}
resource "modelarts_notebook" "n" {
  name     = "lang-n"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
  lifecycle {
    precondition {
      condition     = var.size >= 5
      error_message = "size must be at least 5."
    }
  }
}
