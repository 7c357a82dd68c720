variable "v" {
  type = object({
    inner = optional(object({ size = optional(number, 10) }), {})
  })
  default = {}
}
output "r" {
  value = var.v.inner.size
}
