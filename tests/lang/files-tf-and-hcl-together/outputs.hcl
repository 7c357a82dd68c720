output "r" {
  value = local.a
}
