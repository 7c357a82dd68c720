#! base: good
#! forbid: SECRET
#! expect: included a sensitive value
variable "pw" {
  sensitive = true
  default   = "hunter2-SECRET"
  validation {
    condition     = length(var.pw) > 40
    error_message = "pw ${var.pw} is too short."
  }
}

