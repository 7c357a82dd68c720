output "r" {
  value = base64encode("Hello World")
}
