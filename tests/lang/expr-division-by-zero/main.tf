output "r" {
  value = 1 / 0
}
