output "r" {
  value = "  items: ${indent(2, "[\n  foo,\n  bar,\n]\n")}"
}
