output "r" {
  value = lookup({a = 1}, "b")
}
