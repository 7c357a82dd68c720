output "r" {
  value = try(nosuch(1), 2)
}
