#! base: good
variable "v" {
  type = strng
}

