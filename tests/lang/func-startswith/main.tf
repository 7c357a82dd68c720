output "r" {
  value = startswith("hello world", "hello")
}
