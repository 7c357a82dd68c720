output "list" {
  value = [{ foo = "bar" }, "two"]
}
output "text" {
  value = "a\nb"
}
