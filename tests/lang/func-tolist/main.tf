output "r" {
  value = tolist(["a", "b", "c"])
}
