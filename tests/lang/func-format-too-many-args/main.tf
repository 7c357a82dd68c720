output "o" {
  value = format("%s", "a", "b")
}
