output "r" {
  value = format("%s %s", "a")
}
