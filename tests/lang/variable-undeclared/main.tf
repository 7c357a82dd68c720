output "r" {
  value = var.nope
}
