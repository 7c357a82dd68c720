output "r" {
  value = jsondecode("{\"hello\": \"world\"}")
}
