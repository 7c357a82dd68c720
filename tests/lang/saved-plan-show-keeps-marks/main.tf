variable "pw" {
  default   = "Secr3t-Passw0rd!"
  sensitive = true
}
resource "modelarts_notebook" "n" {
  name     = "sp"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
output "tok" {
  value     = modelarts_notebook.n.token
  sensitive = true
}
