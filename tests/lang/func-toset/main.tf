output "r" {
  value = toset(["c", "b", "b"])
}
