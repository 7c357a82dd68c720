output "r" {
  value = list(1)
}
