output "replace_empty" {
  value = replace("abc", "", "-")
}
output "join_lists" {
  value = join(",", ["a"], ["b", "c"])
}
