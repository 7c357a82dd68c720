output "r" {
  value = cidrsubnet("2001:db8::/64", 64, 5)
}
