#! base: good
locals {
  x = "%{ for x in 3 }${x}%{ endfor }"
}
output "x" {
  value = local.x
}
