output "r" {
  value = try(tonumber("x"), "fallback")
}
