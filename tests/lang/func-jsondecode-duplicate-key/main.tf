output "o" {
  value = jsondecode("{\"a\": 1, \"a\": 2}")
}
