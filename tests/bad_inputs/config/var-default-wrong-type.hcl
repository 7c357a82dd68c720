#! base: good
variable "v" {
  type    = list(number)
  default = ["a"]
}

