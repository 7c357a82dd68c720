output "r" {
  value = basename("foo/bar/baz.txt")
}
