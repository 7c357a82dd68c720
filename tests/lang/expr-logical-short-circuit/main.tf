locals {
  x = null
}
output "or" {
  value = local.x == null || length(local.x) > 2
}
output "and" {
  value = local.x != null && length(local.x) > 2
}
