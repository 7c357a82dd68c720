output "r" {
  value = strrev("hello")
}
