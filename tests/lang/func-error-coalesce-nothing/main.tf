output "r" {
  value = coalesce("", null)
}
