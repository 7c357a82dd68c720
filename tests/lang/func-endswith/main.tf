output "r" {
  value = endswith("hello world", "world")
}
