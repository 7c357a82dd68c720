output "r" {
  value     = sensitive("x")
  sensitive = true
}
