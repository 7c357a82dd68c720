output "r" {
  value = parseint("-10", 16)
}
