output "r" {
  value = index(["a", "b", "c"], "b")
}
