locals {
  m = { a = "A" }
}
output "r" {
  value = try(local.m.b, local.m.a)
}
