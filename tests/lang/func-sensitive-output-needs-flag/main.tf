output "r" {
  value = sensitive("x")
}
