output "r" {
  value = cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)
}
