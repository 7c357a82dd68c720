output "r" {
  value = format("%999999999999d", 1)
}
