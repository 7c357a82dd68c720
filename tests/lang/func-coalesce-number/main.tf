output "r" {
  value = coalesce(null, 1, 2)
}
