output "r" {
  value = terraform.workspace
}
