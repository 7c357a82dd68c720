variable "name" {
  type    = string
  default = "ABC"
  validation {
    condition     = can(regex("^[a-z]+$", var.name))
    error_message = "The name must be lower-case letters."
  }
}
