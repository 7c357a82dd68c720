variable "n" {
  type    = number
  default = "5"
}
output "r" {
  value = var.n + 1
}
