output "r" {
  value = formatlist("Hello, %s!", ["Valentina", "Ander", "Olivia", "Sam"])
}
