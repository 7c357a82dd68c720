output "r" {
  value = values({a = 3, c = 2, d = 1})
}
