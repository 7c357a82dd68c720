#! base: good
variable "v" {
  defualt = 1
}

