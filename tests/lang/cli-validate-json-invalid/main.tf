output "r" {
  value = nosuch(1)
}
