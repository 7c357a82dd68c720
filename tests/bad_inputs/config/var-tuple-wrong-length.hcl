#! base: good
variable "v" {
  type    = tuple([string, number])
  default = ["a"]
}

