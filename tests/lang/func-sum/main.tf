output "r" {
  value = sum([10, 13, 6, 4.5])
}
