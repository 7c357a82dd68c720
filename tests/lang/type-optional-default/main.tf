variable "v" {
  type = object({
    a = optional(number, 7)
    b = optional(string)
    c = string
  })
  default = { c = "C" }
}
output "r" {
  value = var.v
}
