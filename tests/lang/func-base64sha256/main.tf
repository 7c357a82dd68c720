output "r" {
  value = base64sha256("hello world")
}
