output "r" {
  value = distinct(["a", "b", "a", "c", "d", "b"])
}
