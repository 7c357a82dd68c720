#! base: good
variable "v" {
  default = 1
  validation {
    condition     = "yes"
    error_message = "x"
  }
}

