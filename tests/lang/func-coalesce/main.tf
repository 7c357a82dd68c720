output "r" {
  value = coalesce("", "b")
}
