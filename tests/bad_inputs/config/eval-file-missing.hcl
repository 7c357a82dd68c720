#! base: good
locals {
  x = file("no/such/file.txt")
}
output "x" {
  value = local.x
}
