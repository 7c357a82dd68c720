output "r" {
  value = "x" ? 1 : 2
}
