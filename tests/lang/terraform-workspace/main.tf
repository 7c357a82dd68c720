output "r" {
  value = [terraform.workspace, maform.workspace]
}
