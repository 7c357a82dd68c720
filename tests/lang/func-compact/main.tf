output "r" {
  value = compact(["a", "", "b", null, "c"])
}
