variable "l" {
  type    = list(string)
  default = "x"
}
