variable "pw" {
  default   = "s3cret-pw"
  sensitive = true
}
output "pw" {
  value     = var.pw
  sensitive = true
}
output "plain" {
  value = "p"
}
