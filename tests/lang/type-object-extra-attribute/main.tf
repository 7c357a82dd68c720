variable "o" {
  type    = object({ a = string })
  default = { a = "x", b = "y" }
}
