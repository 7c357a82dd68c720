output "r" {
  value = bcrypt("x")
}
