locals {
  x = null
}
output "r" {
  value = length(local.x[*])
}
