output "r" {
  value = pow(3, 2)
}
