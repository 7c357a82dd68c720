output "r" {
  value = parseint("1011111011101111", 2)
}
