#! base: good
locals {
  x = join("", [for i in range(500000): "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"])
}
output "x" {
  value = local.x
}
