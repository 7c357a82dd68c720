variable "ip" {
  default   = "203.0.113.9"
  sensitive = true
}
resource "modelarts_notebook" "n" {
  name     = "dyn"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
  dynamic "endpoints" {
    for_each = [1]
    content {
      service            = "NOTEBOOK"
      allowed_access_ips = [var.ip]
    }
  }
}
