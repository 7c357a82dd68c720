variable "name" {
  type    = string
  default = "abc"
  validation {
    condition     = can(regex("^[a-z]+$", var.name))
    error_message = "The name must be lower-case letters."
  }
}
output "r" {
  value = var.name
}
