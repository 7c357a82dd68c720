locals {
  m = { a = { n = 1 }, b = { n = 2 } }
}
output "r" {
  value = local.m[*].n
}
