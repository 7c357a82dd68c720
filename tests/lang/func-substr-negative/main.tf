output "r" {
  value = substr("hello world", -5, -1)
}
