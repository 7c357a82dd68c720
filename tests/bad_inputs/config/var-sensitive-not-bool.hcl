#! base: good
variable "v" {
  sensitive = "yes"
  default   = 1
}

