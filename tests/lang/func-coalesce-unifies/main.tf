output "mixed" {
  value = coalesce(1, "a")
}
output "numbers" {
  value = coalesce(null, 2, 3)
}
