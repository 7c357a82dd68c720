variable "v" {
  type    = object({ a = optional(number, 7) })
  default = { a = null }
}
output "r" {
  value = var.v.a
}
