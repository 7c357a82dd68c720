output "r" {
  value = [one([]) == null, one(["hello"])]
}
