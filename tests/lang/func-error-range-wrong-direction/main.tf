output "r" {
  value = range(1, 4, -1)
}
