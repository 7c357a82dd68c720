output "r" {
  value = min(12, 54, 3)
}
