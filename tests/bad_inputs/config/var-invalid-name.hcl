#! base: good
variable "1v" {
  default = 1
}

