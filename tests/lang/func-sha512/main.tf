output "r" {
  value = sha512("hello world")
}
