#! base: good
variable "pw" {
  sensitive = true
  default   = "s3cret-value"
}
output "o" {
  value = var.pw
}
