output "r" {
  value = terraform.env
}
