variable "l" {
  type = list(string)
}
output "r" {
  value = join(",", var.l)
}
