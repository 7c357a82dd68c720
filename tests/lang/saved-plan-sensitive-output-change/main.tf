variable "pw" {
  default   = "one"
  sensitive = true
}
output "pw" {
  value     = var.pw
  sensitive = true
}
