output "r" {
  value = cidrsubnet("10.1.2.0/24", 4, 15)
}
