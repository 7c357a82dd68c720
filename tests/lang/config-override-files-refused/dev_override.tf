variable "v" {
  default = "b"
}
