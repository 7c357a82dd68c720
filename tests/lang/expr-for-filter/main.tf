output "r" {
  value = [for n in [1, 2, 3, 4] : n if n % 2 == 0]
}
