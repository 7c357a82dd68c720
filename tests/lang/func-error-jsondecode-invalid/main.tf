output "r" {
  value = jsondecode("{")
}
