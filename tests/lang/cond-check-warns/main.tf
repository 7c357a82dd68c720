variable "size" {
  default = 10
}
check "size" {
  assert {
    condition     = var.size > 50
    error_message = "size is small."
  }
}
output "r" {
  value = var.size
}
