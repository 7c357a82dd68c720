output "r" {
  value = parseint("12", 2)
}
