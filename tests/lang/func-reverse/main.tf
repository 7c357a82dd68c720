output "r" {
  value = reverse([1, 2, 3])
}
