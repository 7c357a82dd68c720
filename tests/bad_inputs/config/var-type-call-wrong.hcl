#! base: good
variable "v" {
  type = list(string, number)
}

