#! base: good
variable "v" {
  nullable = false
  default  = null
}

