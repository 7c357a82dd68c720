output "r" {
  value = 2
}
