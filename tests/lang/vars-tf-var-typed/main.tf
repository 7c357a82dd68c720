variable "n" {
  type = list(number)
}
output "r" {
  value = sum(var.n)
}
