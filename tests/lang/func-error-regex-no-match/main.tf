output "r" {
  value = regex("[a-z]+", "123")
}
