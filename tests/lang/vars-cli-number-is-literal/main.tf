variable "max" {
  type = number
}
output "r" {
  value = var.max * 2
}
