output "r" {
  value = replace("1 + 2 + 3", "+", "-")
}
