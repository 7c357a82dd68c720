variable "v" {
  type    = object({ a = optional(number, "x") })
  default = {}
}
