output "r" {
  value = dirname("foo/bar/baz.txt")
}
