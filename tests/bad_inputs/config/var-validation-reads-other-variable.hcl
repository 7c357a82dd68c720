#! base: good
variable "v" {
  default = 1
  validation {
    condition     = var.size > 100
    error_message = "x"
  }
}

