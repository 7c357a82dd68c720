output "r" {
  value = cidrsubnet("172.16.0.0/12", 4, 2)
}
