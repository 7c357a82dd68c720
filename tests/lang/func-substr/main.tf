output "r" {
  value = substr("hello world", 1, 4)
}
