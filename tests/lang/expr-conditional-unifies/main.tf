variable "n" {
  default = 12
}
output "number_or_string" {
  value = var.n > 1 ? var.n : "hello"
}
output "numbers" {
  value = var.n > 1 ? var.n : 0
}
