output "r" {
  value = tolist(toset([10, 9, 100]))
}
