locals {
  o = { a = 1 }
}
output "r" {
  value = local.o.b
}
