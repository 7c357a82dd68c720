output "r" {
  value = sum([])
}
