output "r" {
  value = substr("hello", 3, 100)
}
