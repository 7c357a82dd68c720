output "r" {
  value = split(",", "foo")
}
