variable "services" {
  type    = set(string)
  default = ["ssh", "notebook"]
}
resource "modelarts_notebook" "n" {
  name     = "dyn-set"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
  dynamic "endpoints" {
    for_each = var.services
    content {
      service            = upper(endpoints.key)
      allowed_access_ips = ["203.0.113.1"]
      key_pair_names     = endpoints.key == "ssh" ? ["kp"] : null
    }
  }
}
output "r" {
  value = [for e in modelarts_notebook.n.endpoints : e.service]
}
