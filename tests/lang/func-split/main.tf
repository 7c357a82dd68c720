output "r" {
  value = split(",", "foo,bar,baz")
}
