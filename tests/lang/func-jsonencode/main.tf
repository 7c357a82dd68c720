output "r" {
  value = jsonencode({"hello" = "world"})
}
