output "r" {
  value = sort(["e", "d", "a", "x"])
}
