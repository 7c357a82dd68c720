output "r" {
  value = [tobool(true), tobool("true"), tobool(null)]
}
