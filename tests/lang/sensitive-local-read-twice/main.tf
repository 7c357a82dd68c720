variable "pw" {
  default   = "Local-Secr3t!"
  sensitive = true
}
locals {
  pw = var.pw
}
output "a" {
  value     = local.pw
  sensitive = true
}
output "b" {
  value = local.pw
}
