output "r" {
  value = concat(["a", ""], ["b", "c"])
}
