output "r" {
  value = upper("hello")
}
