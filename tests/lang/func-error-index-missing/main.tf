output "r" {
  value = index(["a"], "z")
}
