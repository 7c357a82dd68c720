#! base: good
#! forbid: SECRET
variable "pw" {
  sensitive = true
  default   = "hunter2-SECRET"
}
locals {
  n = tonumber(var.pw)
}
output "n" {
  value     = local.n
  sensitive = true
}

