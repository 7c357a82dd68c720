output "r" {
  value = format("%q", "hi \"x\"")
}
