terraform {
  required_version = ">= 0.1.0"
}
output "r" {
  value = 1
}
