variable "pw" {
  default   = "hunter2"
  sensitive = true
}
output "o" {
  value     = templatestring("$${tonumber(substr(pw, 0, 4))}", { pw = var.pw })
  sensitive = true
}
