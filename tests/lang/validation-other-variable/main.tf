variable "min" {
  default = 5
}
variable "size" {
  default = 3
  validation {
    condition     = var.size >= var.min
    error_message = "size must be at least min."
  }
}
