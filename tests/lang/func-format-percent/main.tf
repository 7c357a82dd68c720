output "r" {
  value = format("100%%")
}
