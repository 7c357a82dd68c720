output "r" {
  value = sha256("hello world")
}
