output "r" {
  value = chunklist(["a", "b", "c", "d", "e"], 2)
}
