variable "pw" {
  default   = "hunter2"
  sensitive = true
  validation {
    condition     = length(var.pw) > 10
    error_message = "too short: ${var.pw}"
  }
}
