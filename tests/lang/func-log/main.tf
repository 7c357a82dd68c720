output "r" {
  value = log(16, 2)
}
