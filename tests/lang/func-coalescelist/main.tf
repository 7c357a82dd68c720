output "r" {
  value = coalescelist([], ["c", "d"])
}
