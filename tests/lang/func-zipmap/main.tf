output "r" {
  value = zipmap(["a", "b"], [1, 2])
}
