output "s" {
  value = "hello"
}
