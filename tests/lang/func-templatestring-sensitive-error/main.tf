variable "pw" {
  default   = "hunter2"
  sensitive = true
}
locals {
  t = "$${tonumber(substr(pw, 0, 4))}"
}
output "o" {
  value     = templatestring(local.t, { pw = var.pw })
  sensitive = true
}
