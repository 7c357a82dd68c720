#! base: good
variable "v" {
  type = string
}

