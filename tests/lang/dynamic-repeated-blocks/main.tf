variable "ips" {
  default = {
    notebook = ["203.0.113.1"]
    ssh      = ["203.0.113.2", "203.0.113.3"]
  }
}
resource "modelarts_notebook" "n" {
  name     = "dyn"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
  dynamic "endpoints" {
    for_each = var.ips
    content {
      service            = upper(endpoints.key)
      allowed_access_ips = endpoints.value
      key_pair_names     = endpoints.key == "ssh" ? ["kp"] : null
    }
  }
}
output "r" {
  value = [for e in modelarts_notebook.n.endpoints : e.service]
}
