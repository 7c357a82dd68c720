output "o" {
  value = regex("\\Qa.b\\E", "a.b")
}
