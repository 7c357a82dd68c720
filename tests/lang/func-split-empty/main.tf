output "r" {
  value = split(",", "")
}
