output "r" {
  value = max([12, 54, 3]...)
}
