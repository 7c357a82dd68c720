output "r" {
  value = [contains(["a", "b", "c"], "a"), contains(["a", "b", "c"], "d")]
}
