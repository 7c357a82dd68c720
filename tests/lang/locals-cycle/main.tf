locals {
  a = local.b
  b = local.a
}
output "r" {
  value = local.a
}
