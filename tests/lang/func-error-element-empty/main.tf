output "r" {
  value = element([], 0)
}
