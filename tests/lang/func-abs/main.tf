output "r" {
  value = abs(-12.4)
}
