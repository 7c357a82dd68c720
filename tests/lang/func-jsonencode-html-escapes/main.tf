output "r" {
  value = jsonencode("a<b>&c")
}
