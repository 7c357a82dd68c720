variable "m" {
  type    = map(any)
  default = { a = 1, b = "x" }
}
variable "l" {
  type    = list(any)
  default = [true, "y", 2]
}
variable "same" {
  type    = map(any)
  default = { a = 1, b = 2 }
}
output "m" {
  value = var.m
}
output "l" {
  value = var.l
}
output "same" {
  value = var.same
}
