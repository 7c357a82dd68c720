output "r" {
  value = keys({a = 1, c = 2, d = 3})
}
