variable "o" {
  type    = object({ a = string })
  default = { a = "x", b = "y" }
}
output "o" {
  value = var.o
}
output "keys" {
  value = keys(var.o)
}
