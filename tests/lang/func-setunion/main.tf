output "r" {
  value = setunion(["a", "b"], ["b", "c"], ["d"])
}
