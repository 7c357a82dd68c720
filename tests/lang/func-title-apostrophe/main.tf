output "r" {
  value = title("don't stop")
}
