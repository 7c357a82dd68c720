output "big" {
  value = jsonencode(1e21)
}
output "small" {
  value = jsonencode(1e-7)
}
output "object" {
  value = jsonencode({ b = 1.5, a = [true, null, "x"] })
}
