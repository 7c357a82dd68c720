#! base: good
locals {
  x = base64decode("//79")
}
output "x" {
  value = local.x
}
