output "r" {
  value = abspath("/a/b/../c")
}
