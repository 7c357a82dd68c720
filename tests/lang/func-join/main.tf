output "r" {
  value = join(", ", ["foo", "bar", "baz"])
}
