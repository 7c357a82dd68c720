variable "pw" {
  type      = string
  default   = "s3cret-pw"
  sensitive = true
}
variable "names" {
  default = ["a", "b"]
}
locals {
  m = { for n in var.names : n => upper(n) }
}
resource "modelarts_notebook" "nb" {
  name     = "nb-console"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
