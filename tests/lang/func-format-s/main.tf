output "r" {
  value = format("Hello, %s!", "Ander")
}
