variable "ips" {
  type    = set(string)
  default = ["10.0.0.2", "10.0.0.1", "10.0.0.2"]
}
locals {
  s = toset(["b", "a"])
}
output "obj" {
  value = { for k, v in toset(["x", "y"]) : k => v }
}
output "tpl" {
  value = "%{for k, v in local.s}${k}=${v};%{endfor}"
}
output "var" {
  value = [for k, v in var.ips : k]
}
output "list" {
  value = { for k, v in ["x", "y"] : k => v }
}
output "n" {
  value = length(var.ips)
}
