output "r" {
  value = cidrhost("fd00:fd12:3456:7890:00a2::/72", 34)
}
