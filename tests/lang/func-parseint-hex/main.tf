output "r" {
  value = parseint("FF", 16)
}
