output "r" {
  value = join(",", ["a", null])
}
