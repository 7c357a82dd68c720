output "r" {
  value = [can(tonumber("1")), can(tonumber("x"))]
}
