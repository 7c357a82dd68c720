variable "size" {
  default = 10
}
output "r" {
  value = var.size
  precondition {
    condition     = var.size < 100
    error_message = "too big."
  }
}
