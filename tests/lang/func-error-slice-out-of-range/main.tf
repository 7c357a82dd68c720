output "r" {
  value = slice(["a"], 0, 2)
}
