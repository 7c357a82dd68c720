output "r" {
  value = base64sha512("hello world")
}
