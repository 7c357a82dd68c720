output "r" {
  value = flatten([["a", "b"], [], ["c"]])
}
