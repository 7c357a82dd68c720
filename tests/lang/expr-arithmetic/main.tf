output "r" {
  value = [1 + 2 * 3, 7 % 3, 10 / 4, -5]
}
