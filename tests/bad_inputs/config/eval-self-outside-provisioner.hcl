#! base: good
locals {
  x = self.id
}
output "x" {
  value = local.x
}
