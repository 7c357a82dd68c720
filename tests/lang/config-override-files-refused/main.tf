variable "v" {
  default = "a"
}
