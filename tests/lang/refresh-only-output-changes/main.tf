variable "l" {
  type    = list(string)
  default = ["a"]
}
output "r" {
  value = var.l
}
