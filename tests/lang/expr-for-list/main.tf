output "r" {
  value = [for s in ["a", "b"] : upper(s)]
}
