output "r" {
  value = format("%v", {a = [1, true]})
}
