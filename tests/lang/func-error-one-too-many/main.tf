output "r" {
  value = one(["a", "b"])
}
