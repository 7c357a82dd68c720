output "r" {
  value = element(["a", "b", "c"], 1)
}
