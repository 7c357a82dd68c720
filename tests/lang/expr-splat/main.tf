locals {
  l = [{ n = "a" }, { n = "b" }]
}
output "r" {
  value = local.l[*].n
}
