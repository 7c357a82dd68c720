locals {
  names = []
}
output "r" {
  value = local.name
}
