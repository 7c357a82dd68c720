output "r" {
  value = cidrhost("2001:db8::1/128", 0)
}
