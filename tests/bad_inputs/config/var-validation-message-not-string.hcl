#! base: good
#! expect: Error
variable "v" {
  default = 1
  validation {
    condition     = false
    error_message = [1]
  }
}

