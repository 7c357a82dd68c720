output "r" {
  value = [range(3), range(1, 4), range(1, 8, 2), range(4, 1)]
}
