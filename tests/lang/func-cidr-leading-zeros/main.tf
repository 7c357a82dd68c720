output "host" {
  value = cidrhost("010.0.0.0/24", 1)
}
output "netmask" {
  value = cidrnetmask("172.016.0.0/12")
}
