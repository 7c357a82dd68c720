#! base: good
variable "size" {
  default = 1
}

