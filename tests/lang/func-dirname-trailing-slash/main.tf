output "r" {
  value = dirname("a/b/")
}
