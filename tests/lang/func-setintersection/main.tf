output "r" {
  value = setintersection(["a", "b"], ["b", "c"], ["b", "d"])
}
