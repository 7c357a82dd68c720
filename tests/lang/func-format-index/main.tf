output "r" {
  value = format("%[2]s %[1]s", "world", "hello")
}
