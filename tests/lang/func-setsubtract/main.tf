output "r" {
  value = setsubtract(["a", "b", "c"], ["a", "c"])
}
