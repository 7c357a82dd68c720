#! base: good
variable "v" {
  type    = object({ a = string })
  default = {}
}

