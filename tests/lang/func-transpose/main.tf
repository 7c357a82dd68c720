output "r" {
  value = transpose({"a" = ["1", "2"], "b" = ["2", "3"]})
}
