locals {
  tpl = "Hello, $${name}!"
}
output "r" {
  value = templatestring(local.tpl, { name = "Jane" })
}
