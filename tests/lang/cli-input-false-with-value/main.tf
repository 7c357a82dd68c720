variable "v" {
  default = "default"
}
output "r" {
  value = var.v
}
