locals {
  a = 1
  b = local.a + 1
}
locals {
  c = local.b * 10
}
output "r" {
  value = local.c
}
