output "r" {
  value = cidrhost("10.12.112.0/20", 268)
}
