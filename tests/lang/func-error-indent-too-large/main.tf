output "r" {
  value = indent(1048576, join("
", [for i in range(100) : ""]))
}
